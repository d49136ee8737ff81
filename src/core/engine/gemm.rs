//! This crate's matrix-product kernel for tract on wasm: a tile of 4 rows × 8 columns, registered
//! with tract-linalg's kernel registry and picked by a dispatch tier of its own, through tract's
//! public API (`mmm_routines::MmmRoutine`, `mmm_tiers::MmmTier`).
//!
//! Why: tract 0.23.9 runs every f32 matrix product of more than one column on wasm with its 8×8
//! kernel, sixteen vector accumulators. Its source says that is the limit of 16 SIMD registers,
//! which holds on 64-bit ARM (32 registers) but not on x86-64, where V8 has 16 `xmm` registers
//! and keeps some for itself: the accumulators spill to the stack on every step of the inner
//! loop. `Model.profile` puts 95 % of the face encoder's and ResNet-18's run in that product
//! (`OptMatMul`), and they ran 1.01-1.08× onnxruntime-web's time. Alone, on packed panels
//! (Chromium 156, x86-64, Dec 2026), tract's 8×8 loop did 31-34 GFLOP/s and a 4×8 loop with
//! eight accumulators 46-48 (relaxed SIMD; 27-29 against 38-40 with simd128 only); 6×8, 8×4,
//! 4×12 and 4×16 were slower than 4×8. The same loops in Firefox ESR: 33-37 against 45-51; in
//! WebKitGTK (simd128, its wasm fault handler off as in the tests): 18-19 against 22-23.
//!
//! Where: the tier speaks only on wasm, and picks this kernel where [`machine_is_x86`] says the
//! engine runs on an x86 processor, for every f32 product of more than one column; matrix-vector
//! products keep tract's kernels. 64-bit ARM, with 32 vector registers, keeps tract's 8×8 (not
//! measured here: no ARM machine). [`set_choice`] overrides that for measurements and tests.
//!
//! Layout (tract's for every kernel): A is packed `[k][4]` (4 rows of the weights per step of
//! the inner dimension), B `[k][8]`; accumulator `2r` holds row `r`, columns 0-3, and `2r + 1`
//! columns 4-7. Differential tests: `tests/web/differential.rs` (every fused operation of the
//! kernel protocol against plain Rust, and whole models against tract's own kernel).

use std::sync::atomic::{AtomicU8, Ordering};

/// The name this kernel is registered under in tract-linalg (it shows in tract's plan).
pub const KERNEL_NAME: &str = "cnn_playground_wasm_f32_4x8";

/// Which kernel the engine asks tract to use for f32 matrix products on wasm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// This crate's 4×8 kernel where [`machine_is_x86`], tract's choice elsewhere.
    Auto,
    /// tract's own choice everywhere (its 8×8 kernel for products of more than one column).
    Tract,
    /// This crate's 4×8 kernel on any processor.
    Rows4,
}

static CHOICE: AtomicU8 = AtomicU8::new(0);

/// Sets which kernel models optimised from now on use; plans made before keep theirs.
pub fn set_choice(choice: Choice) {
    let v = match choice {
        Choice::Auto => 0,
        Choice::Tract => 1,
        Choice::Rows4 => 2,
    };
    CHOICE.store(v, Ordering::Relaxed);
}

/// The choice [`set_choice`] last set ([`Choice::Auto`] at start).
pub fn choice() -> Choice {
    match CHOICE.load(Ordering::Relaxed) {
        1 => Choice::Tract,
        2 => Choice::Rows4,
        _ => Choice::Auto,
    }
}

/// Whether the 4×8 kernel is in use for models optimised now: true on wasm for
/// [`Choice::Rows4`], and for [`Choice::Auto`] where [`machine_is_x86`]; always false natively,
/// where the kernel is not built.
pub fn uses_own_kernel() -> bool {
    cfg!(all(target_arch = "wasm32", target_feature = "simd128"))
        && match choice() {
            Choice::Auto => machine_is_x86(),
            Choice::Tract => false,
            Choice::Rows4 => true,
        }
}

/// Whether the processor under the wasm engine is an x86 one, read from the bits of the NaN that
/// `0.0 / 0.0` gives: x86's `divps` returns the "default NaN" with its sign bit set
/// (`0xFFC00000`), ARM's `fdiv` with it clear (`0x7FC00000`). Wasm leaves a NaN's sign and payload
/// to the machine, and V8, SpiderMonkey and JavaScriptCore pass them through. Natively it asks the
/// compiler's target instead.
pub fn machine_is_x86() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        // black_box keeps the compiler from folding 0/0 into its own canonical NaN.
        let (zero, other_zero) = (std::hint::black_box(0.0f32), std::hint::black_box(0.0f32));
        let nan = std::hint::black_box(zero / other_zero);
        nan.to_bits() >> 31 == 1
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        cfg!(any(target_arch = "x86", target_arch = "x86_64"))
    }
}

/// The names of the matrix-product kernels tract chose for `model`'s `OptMatMul` nodes, one per
/// node in node order (several where tract keeps one per shape mode): `"wasm_f32_8x8"`,
/// [`KERNEL_NAME`], … Empty for a model that is not optimised or has no matrix product.
pub fn kernels_in(model: &tract_onnx::prelude::TypedModel) -> Vec<String> {
    use tract_onnx::tract_core::ops::matmul::optimized::OptMatMul;
    model
        .nodes()
        .iter()
        .filter_map(|node| node.op_as::<OptMatMul>())
        .flat_map(|op| op.mmm.iter().map(|mmm| mmm.name().to_string()))
        .collect()
}

/// Keeps the kernel and its tier in the link. They reach tract only through tract-linalg's
/// registry, which nothing references, and wasm-ld leaves out an object file of a library that
/// nothing references (tract-linalg does the same for its own wasm kernels).
pub fn keep_linked() {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    std::hint::black_box(wasm::kernel as fn() -> _);
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use wasm::kernel;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use std::arch::wasm32::*;

    use tract_onnx::prelude::DatumType;
    use tract_onnx::tract_core::internal::inventory;
    use tract_onnx::tract_core::tract_linalg::isa::{Arch, IsaSet};
    use tract_onnx::tract_core::tract_linalg::mmm::{DynKernel, FusedKerSpec, Query, Suitable};
    use tract_onnx::tract_core::tract_linalg::mmm_routines::MmmRoutine;
    use tract_onnx::tract_core::tract_linalg::mmm_tiers::MmmTier;
    use tract_onnx::tract_core::tract_linalg::pack::Packing;
    use tract_onnx::tract_core::tract_linalg::Scaler;

    use super::KERNEL_NAME;
    use crate::core::engine::madd;

    /// The kernel as tract-linalg sees it: 4 × 8, f32 in and out, A and B packed in 16-byte
    /// aligned panels.
    pub fn kernel() -> DynKernel<4, 8, f32> {
        let mut k = DynKernel::<4, 8, f32>::new(
            KERNEL_NAME,
            kernel_f32_4x8,
            f32::packing(4).align(16),
            f32::packing(8).align(16),
        );
        k.arch = Some(Arch::Wasm32Simd128);
        k
    }

    inventory::submit! {
        MmmRoutine { make: || kernel().mmm() }
    }

    /// Above tract's own wasm tier (precedence 1): names this kernel for f32 products of more
    /// than one column when [`super::uses_own_kernel`], and has no opinion otherwise.
    fn preferred(
        _isa: &IsaSet,
        dt: DatumType,
        query: &Query,
        _suitable: &[Suitable],
    ) -> Option<&'static str> {
        (dt == DatumType::F32 && query.n != Some(1) && super::uses_own_kernel())
            .then_some(KERNEL_NAME)
    }

    inventory::submit! {
        MmmTier {
            arch: Some(Arch::Wasm32Simd128),
            precedence: 2,
            name: "cnn-playground-wasm-4x8",
            applies: |_| true,
            preferred,
        }
    }

    /// `acc[i] = op(s, acc[i])` for every accumulator.
    #[inline(always)]
    fn each(acc: &mut [v128; 8], s: v128, op: impl Fn(v128, v128) -> v128) {
        for a in acc.iter_mut() {
            *a = op(s, *a);
        }
    }

    /// `acc[row r] = op(splat(rows[r]), acc[row r])`.
    #[inline(always)]
    unsafe fn per_row(acc: &mut [v128; 8], rows: *const f32, op: impl Fn(v128, v128) -> v128) {
        for r in 0..4 {
            let s = f32x4_splat(unsafe { *rows.add(r) });
            acc[2 * r] = op(s, acc[2 * r]);
            acc[2 * r + 1] = op(s, acc[2 * r + 1]);
        }
    }

    /// `acc[row r] = op(cols, acc[row r])`, columns 0-3 and 4-7.
    #[inline(always)]
    unsafe fn per_col(acc: &mut [v128; 8], cols: *const f32, op: impl Fn(v128, v128) -> v128) {
        let p = cols as *const v128;
        let (lo, hi) = unsafe { (v128_load(p), v128_load(p.add(1))) };
        for r in 0..4 {
            acc[2 * r] = op(lo, acc[2 * r]);
            acc[2 * r + 1] = op(hi, acc[2 * r + 1]);
        }
    }

    /// Runs tract's fused-operation list on one 4 × 8 tile (tract's kernel protocol: the list
    /// ends at `Done`; 0 means success).
    unsafe fn kernel_f32_4x8(ops: &[FusedKerSpec<f32>]) -> isize {
        let mut op = ops.as_ptr();
        let zero = f32x4_splat(0.0);
        let mut acc = [zero; 8];
        unsafe {
            while !op.is_null() {
                match *op {
                    FusedKerSpec::Done => break,
                    FusedKerSpec::Clear => acc = [zero; 8],
                    FusedKerSpec::LoadTile(_cols, rows) => {
                        let p = rows as *const v128;
                        for (i, a) in acc.iter_mut().enumerate() {
                            *a = v128_load(p.add(i));
                        }
                    }
                    FusedKerSpec::ScalarMin(s) => {
                        each(&mut acc, f32x4_splat(s), |s, a| f32x4_min(s, a))
                    }
                    FusedKerSpec::ScalarMax(s) => {
                        each(&mut acc, f32x4_splat(s), |s, a| f32x4_max(s, a))
                    }
                    FusedKerSpec::ScalarAdd(s) => {
                        each(&mut acc, f32x4_splat(s), |s, a| f32x4_add(s, a))
                    }
                    FusedKerSpec::ScalarMul(s) => {
                        each(&mut acc, f32x4_splat(s), |s, a| f32x4_mul(s, a))
                    }
                    FusedKerSpec::ScalarSub(s) => {
                        each(&mut acc, f32x4_splat(s), |s, a| f32x4_sub(s, a))
                    }
                    FusedKerSpec::ScalarSubF(s) => {
                        each(&mut acc, f32x4_splat(s), |s, a| f32x4_sub(a, s))
                    }
                    FusedKerSpec::LeakyRelu(alpha) => {
                        let alpha = f32x4_splat(alpha);
                        for a in acc.iter_mut() {
                            let positive = f32x4_gt(*a, zero);
                            *a = v128_bitselect(*a, f32x4_mul(alpha, *a), positive);
                        }
                    }
                    FusedKerSpec::PerRowMin(rows) => {
                        per_row(&mut acc, rows, |s, a| f32x4_min(s, a))
                    }
                    FusedKerSpec::PerRowMax(rows) => {
                        per_row(&mut acc, rows, |s, a| f32x4_max(s, a))
                    }
                    FusedKerSpec::PerRowAdd(rows) => {
                        per_row(&mut acc, rows, |s, a| f32x4_add(s, a))
                    }
                    FusedKerSpec::PerRowMul(rows) => {
                        per_row(&mut acc, rows, |s, a| f32x4_mul(s, a))
                    }
                    FusedKerSpec::PerRowSub(rows) => {
                        per_row(&mut acc, rows, |s, a| f32x4_sub(s, a))
                    }
                    FusedKerSpec::PerRowSubF(rows) => {
                        per_row(&mut acc, rows, |s, a| f32x4_sub(a, s))
                    }
                    FusedKerSpec::PerColMin(cols) => {
                        per_col(&mut acc, cols, |s, a| f32x4_min(s, a))
                    }
                    FusedKerSpec::PerColMax(cols) => {
                        per_col(&mut acc, cols, |s, a| f32x4_max(s, a))
                    }
                    FusedKerSpec::PerColAdd(cols) => {
                        per_col(&mut acc, cols, |s, a| f32x4_add(s, a))
                    }
                    FusedKerSpec::PerColMul(cols) => {
                        per_col(&mut acc, cols, |s, a| f32x4_mul(s, a))
                    }
                    FusedKerSpec::PerColSub(cols) => {
                        per_col(&mut acc, cols, |s, a| f32x4_sub(s, a))
                    }
                    FusedKerSpec::PerColSubF(cols) => {
                        per_col(&mut acc, cols, |s, a| f32x4_sub(a, s))
                    }
                    FusedKerSpec::QScale(shift, policy, mult) => {
                        let scale = Scaler::from_fuse_params(shift, policy, mult).scale;
                        each(&mut acc, f32x4_splat(scale), |s, a| f32x4_mul(s, a))
                    }
                    FusedKerSpec::RoundingShiftRight(shift, _policy) => {
                        let s = f32x4_splat(2f32.powi(-(shift as i32)));
                        each(&mut acc, s, |s, a| f32x4_mul(s, a))
                    }
                    FusedKerSpec::ShiftLeft(shift) => {
                        each(&mut acc, f32x4_splat(2f32.powi(shift as i32)), |s, a| {
                            f32x4_mul(s, a)
                        })
                    }
                    FusedKerSpec::AddUnicast(tile) => {
                        let mut row = tile.ptr as *const u8;
                        let cs = tile.col_byte_stride;
                        for r in 0..4 {
                            let at = |c: isize| *(row.offset(c * cs) as *const f32);
                            let lo = f32x4(at(0), at(1), at(2), at(3));
                            let hi = f32x4(at(4), at(5), at(6), at(7));
                            acc[2 * r] = f32x4_add(acc[2 * r], lo);
                            acc[2 * r + 1] = f32x4_add(acc[2 * r + 1], hi);
                            row = row.offset(tile.row_byte_stride);
                        }
                    }
                    FusedKerSpec::AddRowColProducts(rows, cols) => {
                        let p = cols as *const v128;
                        let (lo, hi) = (v128_load(p), v128_load(p.add(1)));
                        for r in 0..4 {
                            let s = f32x4_splat(*rows.add(r));
                            acc[2 * r] = madd(s, lo, acc[2 * r]);
                            acc[2 * r + 1] = madd(s, hi, acc[2 * r + 1]);
                        }
                    }
                    FusedKerSpec::Store(tile) => {
                        let mut row = tile.ptr;
                        let cs = tile.col_byte_stride;
                        for r in 0..4 {
                            let v: [f32; 8] = std::mem::transmute([acc[2 * r], acc[2 * r + 1]]);
                            for (c, x) in v.iter().enumerate() {
                                *(row.offset(c as isize * cs) as *mut f32) = *x;
                            }
                            row = row.offset(tile.row_byte_stride);
                        }
                    }
                    FusedKerSpec::AddMatMul {
                        k,
                        pa,
                        pb,
                        packing: _,
                    } => {
                        // One vector of A (four rows) per step, each row broadcast by a shuffle;
                        // eight accumulators, two vectors of B and four broadcasts stay within
                        // V8's x86-64 registers.
                        let a = pa as *const v128;
                        let b = pb as *const v128;
                        let [mut c0, mut c1, mut c2, mut c3, mut c4, mut c5, mut c6, mut c7] = acc;
                        for i in 0..k {
                            let av = v128_load(a.add(i));
                            let lo = v128_load(b.add(2 * i));
                            let hi = v128_load(b.add(2 * i + 1));
                            let s0 = i32x4_shuffle::<0, 0, 0, 0>(av, av);
                            let s1 = i32x4_shuffle::<1, 1, 1, 1>(av, av);
                            let s2 = i32x4_shuffle::<2, 2, 2, 2>(av, av);
                            let s3 = i32x4_shuffle::<3, 3, 3, 3>(av, av);
                            c0 = madd(s0, lo, c0);
                            c1 = madd(s0, hi, c1);
                            c2 = madd(s1, lo, c2);
                            c3 = madd(s1, hi, c3);
                            c4 = madd(s2, lo, c4);
                            c5 = madd(s2, hi, c5);
                            c6 = madd(s3, lo, c6);
                            c7 = madd(s3, hi, c7);
                        }
                        acc = [c0, c1, c2, c3, c4, c5, c6, c7];
                    }
                }
                op = op.add(1);
            }
        }
        0
    }
}
