;; Audio kernels for the AudioWorklet mixer (WebAssembly SIMD, f32x4).
;;
;; Memory model: one exported linear memory. The host (src/audio/kernels.ts)
;; carves it into blocks at setup time and passes BYTE offsets to every
;; function, so the kernels never allocate and never copy on the host's behalf.
;; Offsets must be 4-byte aligned; 16-byte alignment is faster but not required
;; (v128.load/store accept any address, the alignment immediate is only a hint).
;;
;; Numerics: plain IEEE-754 binary32 ops only (no relaxed SIMD, no FMA), so a
;; scalar reference that rounds every op to float32 reproduces results
;; bit-for-bit. Wasm never flushes denormals, so neither does the reference.
(module
  ;; 1 MiB to start; the loader grows it while allocating, never during process().
  (memory (export "memory") 16)

  ;; dst[i] += src[i] * gain for i in [0, n). dst and src are f32 arrays.
  ;; Exact aliasing (dst == src) is fine; partial overlap is not.
  (func (export "mix_accumulate")
        (param $dst i32) (param $src i32) (param $gain f32) (param $n i32)
    (local $g v128) (local $vend i32) (local $end i32)
    (local.set $g (f32x4.splat (local.get $gain)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend
      (i32.add (local.get $dst)
               (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $dst) (local.get $vend)))
        (v128.store (local.get $dst)
          (f32x4.add (v128.load (local.get $dst))
                     (f32x4.mul (v128.load (local.get $src)) (local.get $g))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $vloop)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst)
          (f32.add (f32.load (local.get $dst))
                   (f32.mul (f32.load (local.get $src)) (local.get $gain))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $sloop))))

  ;; In place: clamp to [-1, 1]; NaN -> +0, +Inf -> 1, -Inf -> -1.
  ;; -0 stays -0 and denormals pass through unchanged (no comparison fires).
  ;; pmax/pmin are used instead of max/min because they are the plain
  ;; "a < b ? b : a" selects that lower to one maxps/minps on x86; they keep a
  ;; NaN operand in place, and the x == x mask then zeroes it.
  (func (export "clamp") (param $ptr i32) (param $n i32)
    (local $x v128) (local $vend i32) (local $end i32) (local $s f32) (local $t f32)
    (local.set $end (i32.add (local.get $ptr) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend
      (i32.add (local.get $ptr)
               (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $ptr) (local.get $vend)))
        (local.set $x (v128.load (local.get $ptr)))
        (v128.store (local.get $ptr)
          (v128.and
            (f32x4.pmin
              (f32x4.pmax (local.get $x) (v128.const f32x4 -1 -1 -1 -1))
              (v128.const f32x4 1 1 1 1))
            (f32x4.eq (local.get $x) (local.get $x))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
        (br $vloop)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $s (f32.load (local.get $ptr)))
        ;; select(a, b, c) = c ? a : b; same decision order as the vector path.
        (local.set $t (select (f32.const -1) (local.get $s)
                              (f32.lt (local.get $s) (f32.const -1))))
        (local.set $t (select (f32.const 1) (local.get $t)
                              (f32.gt (local.get $t) (f32.const 1))))
        (f32.store (local.get $ptr)
          (select (local.get $t) (f32.const 0)
                  (f32.eq (local.get $s) (local.get $s))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
        (br $sloop))))

  ;; Planar -> lane-interleaved. Channel c (0..channels-1) is read from
  ;; src + c*strideBytes; frame f of channel c goes to dst + f*16 + c*4.
  ;; Lanes >= channels are written as 0 so unused lanes stay exactly 0 through
  ;; the EQ instead of churning on stale garbage (NaN/denormal slow paths).
  (func (export "pack4")
        (param $dst i32) (param $src i32) (param $stride i32)
        (param $channels i32) (param $frames i32)
    (local $c i32) (local $d i32) (local $s i32) (local $end i32)
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $c) (i32.const 4)))
        (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $s (i32.add (local.get $src) (i32.mul (local.get $c) (local.get $stride))))
        (local.set $end (i32.add (local.get $d) (i32.shl (local.get $frames) (i32.const 4))))
        (if (i32.lt_u (local.get $c) (local.get $channels))
          (then
            (block $fdone
              (loop $floop
                (br_if $fdone (i32.ge_u (local.get $d) (local.get $end)))
                (f32.store (local.get $d) (f32.load (local.get $s)))
                (local.set $d (i32.add (local.get $d) (i32.const 16)))
                (local.set $s (i32.add (local.get $s) (i32.const 4)))
                (br $floop))))
          (else
            (block $zdone
              (loop $zloop
                (br_if $zdone (i32.ge_u (local.get $d) (local.get $end)))
                (f32.store (local.get $d) (f32.const 0))
                (local.set $d (i32.add (local.get $d) (i32.const 16)))
                (br $zloop)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop))))

  ;; Lane-interleaved -> planar; the inverse of pack4 (unused lanes dropped).
  (func (export "unpack4")
        (param $dst i32) (param $src i32) (param $stride i32)
        (param $channels i32) (param $frames i32)
    (local $c i32) (local $d i32) (local $s i32) (local $end i32)
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $channels)))
        (local.set $s (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $c) (local.get $stride))))
        (local.set $end (i32.add (local.get $s) (i32.shl (local.get $frames) (i32.const 4))))
        (block $fdone
          (loop $floop
            (br_if $fdone (i32.ge_u (local.get $s) (local.get $end)))
            (f32.store (local.get $d) (f32.load (local.get $s)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (br $floop)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop))))

  ;; Cascade of biquads, Direct Form I, 4 independent channels in the 4 lanes.
  ;;   buf    : frames x f32x4, lane-interleaved (see pack4), processed in place.
  ;;   coeffs : nbands x 96 bytes: i32 enabled at +0 (+4..+15 padding), then
  ;;            f32x4 b0,b1,b2,a1,a2 at +16,+32,+48,+64,+80 (a0 normalised to 1;
  ;;            per-lane so lanes may differ, normally all four are equal).
  ;;   state  : nbands x 64 bytes: f32x4 x1,x2,y1,y2; persists across calls.
  ;; A band whose enabled word is 0 is skipped entirely and its state is left
  ;; untouched. DF I rather than TDF II because its state is the signal itself,
  ;; which keeps float32 noise low for low-frequency bands and makes a stale
  ;; state easy to reason about when a band is re-enabled.
  ;; Bands are processed one pass per band over all frames so the 9 state and
  ;; coefficient vectors live in registers; per frame:
  ;;   y = (((b0*x + b1*x1) + b2*x2) - a2*y2) - a1*y1
  ;; The a1*y1 term comes last so the loop-carried dependency is one mul + sub.
  (func (export "eq_process")
        (param $state i32) (param $coeffs i32) (param $buf i32)
        (param $frames i32) (param $nbands i32)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $a1 v128) (local $a2 v128)
    (local $x1 v128) (local $x2 v128) (local $y1 v128) (local $y2 v128)
    (local $x v128) (local $y v128)
    (local $band i32) (local $p i32) (local $end i32)
    (local.set $end (i32.add (local.get $buf) (i32.shl (local.get $frames) (i32.const 4))))
    (block $bdone
      (loop $bloop
        (br_if $bdone (i32.ge_u (local.get $band) (local.get $nbands)))
        (if (i32.load (local.get $coeffs))
          (then
            (local.set $b0 (v128.load offset=16 (local.get $coeffs)))
            (local.set $b1 (v128.load offset=32 (local.get $coeffs)))
            (local.set $b2 (v128.load offset=48 (local.get $coeffs)))
            (local.set $a1 (v128.load offset=64 (local.get $coeffs)))
            (local.set $a2 (v128.load offset=80 (local.get $coeffs)))
            (local.set $x1 (v128.load offset=0 (local.get $state)))
            (local.set $x2 (v128.load offset=16 (local.get $state)))
            (local.set $y1 (v128.load offset=32 (local.get $state)))
            (local.set $y2 (v128.load offset=48 (local.get $state)))
            (local.set $p (local.get $buf))
            (block $fdone
              (loop $floop
                (br_if $fdone (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $x (v128.load (local.get $p)))
                (local.set $y
                  (f32x4.sub
                    (f32x4.sub
                      (f32x4.add
                        (f32x4.add (f32x4.mul (local.get $b0) (local.get $x))
                                   (f32x4.mul (local.get $b1) (local.get $x1)))
                        (f32x4.mul (local.get $b2) (local.get $x2)))
                      (f32x4.mul (local.get $a2) (local.get $y2)))
                    (f32x4.mul (local.get $a1) (local.get $y1))))
                (v128.store (local.get $p) (local.get $y))
                (local.set $x2 (local.get $x1))
                (local.set $x1 (local.get $x))
                (local.set $y2 (local.get $y1))
                (local.set $y1 (local.get $y))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $floop)))
            (v128.store offset=0 (local.get $state) (local.get $x1))
            (v128.store offset=16 (local.get $state) (local.get $x2))
            (v128.store offset=32 (local.get $state) (local.get $y1))
            (v128.store offset=48 (local.get $state) (local.get $y2))))
        (local.set $coeffs (i32.add (local.get $coeffs) (i32.const 96)))
        (local.set $state (i32.add (local.get $state) (i32.const 64)))
        (local.set $band (i32.add (local.get $band) (i32.const 1)))
        (br $bloop))))
)
