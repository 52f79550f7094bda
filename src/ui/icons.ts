/**
 * Small inline SVG icons for the docks: emoji and rare symbols are missing from many system
 * fonts (headless Chromium shows boxes), while a path draws the same everywhere.
 */
const PATHS = {
  eye: 'M12 5C7 5 2.7 8.1 1 12c1.7 3.9 6 7 11 7s9.3-3.1 11-7c-1.7-3.9-6-7-11-7zm0 11.5a4.5 4.5 0 110-9 4.5 4.5 0 010 9zm0-2.5a2 2 0 100-4 2 2 0 000 4z',
  eyeOff: 'M2.3 3.7l1.4-1.4 18 18-1.4 1.4-3.2-3.2A11.6 11.6 0 0112 19c-5 0-9.3-3.1-11-7 .8-1.9 2.2-3.6 3.9-4.9zM12 5c5 0 9.3 3.1 11 7-.6 1.4-1.5 2.7-2.6 3.8L16.3 11.7A4.5 4.5 0 0012.3 7.7L9.7 5.3C10.4 5.1 11.2 5 12 5z',
  lock: 'M7 10V7a5 5 0 0110 0v3h1.5v11h-13V10zm2 0h6V7a3 3 0 00-6 0z',
  unlock: 'M9 10h9.5v11h-13V10H7V7a5 5 0 019.6-2l-1.8.9A3 3 0 009 7z',
  copy: 'M8 3h12v12h-3v-2h1V5h-8v1H8zM4 8h12v13H4zm2 2v9h8v-9z',
  camera: 'M3 7h12v10H3zm13 3.5L21 7v10l-5-3.5z',
  display: 'M2 4h20v13H13v2h3v2H8v-2h3v-2H2zm2 2v9h16V6z',
  image: 'M3 4h18v16H3zm2 2v10.5l4.5-5.5 3.5 4 2.5-3 3.5 4.5V6zm11 1.5a1.8 1.8 0 110 3.6 1.8 1.8 0 010-3.6z',
  color: 'M4 4h16v16H4z',
  text: 'M4 4h16v4h-2V6h-5v12h2v2H9v-2h2V6H6v2H4z',
  video: 'M3 4h18v16H3zm2 2v2h2V6zm0 4v4h2v-4zm0 6v2h2v-2zm12-10v2h2V6zm0 4v4h2v-4zm0 6v2h2v-2zM10 8.5v7l5-3.5z',
} as const;

export type IconName = keyof typeof PATHS;

/** An aria-hidden 1em icon; the button around it carries the accessible name. */
export function icon(name: IconName): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon-svg');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', PATHS[name]);
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('fill-rule', 'evenodd');
  svg.append(path);
  return svg;
}
