// Screenshot of the mixer harness: `npx tsx tests/browser/mixer-demo.shot.ts [out.png]`.
// Fake mic plays speech; the music file is added through the "Add audio file…" input.
import { launchChromium, openPage, startServer } from '../helpers/browser.ts';
import { shared } from '../helpers/media.ts';

const out = process.argv[2] ?? '/tmp/mixer.png';
const { server, url } = await startServer();
const browser = await launchChromium({ mic: shared('media/speech_jfk_48k_stereo.wav'), webgpu: false });
try {
  const { page, consoleErrors } = await openPage(browser, url, '/tests/browser/mixer-demo.html');
  await page.waitForSelector('body[data-ready]', { timeout: 20000 });
  await page.setInputFiles('input[type=file]', shared('media/music_outfoxing_kevin_macleod_15s_48k_stereo.wav'));
  await page.waitForSelector('[data-source-id="audio-2"]');
  // Show the controls in a non-default state: music lowered and panned, EQ open, mic monitored.
  await page.getByLabel('Gain for music_outfoxing_kevin_macleod_15s_48k_stereo.wav').fill('-14');
  await page.getByLabel('Pan for music_outfoxing_kevin_macleod_15s_48k_stereo.wav').fill('0.4');
  await page.getByLabel('Monitor Microphone on the speakers').click();
  await page.locator('[data-source-id="audio-1"] details summary').click();
  await page.getByLabel('EQ preset for Microphone').selectOption('Voice clarity');
  await page.waitForTimeout(1500);
  await page.locator('main').screenshot({ path: out });
  console.log(`wrote ${out}; status: ${await page.locator('#status').textContent()}; console errors: ${JSON.stringify(consoleErrors)}`);
} finally {
  await browser.close();
  await server.close();
}
