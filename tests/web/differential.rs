//! tract against the plain-Rust reference where learners run it: inside the browser's wasm
//! module, where tract picks its wasm kernels (its `wasm_f32_8x8` or the engine's 4×8 matrix
//! kernel, the direct "blocked" convolution), and the engine's own wasm ops against tract's.
//! 1,000 seeded random convolutions and 500 poolings per run over 1, 2 and 3 spatial axes,
//! covering kernels one column wide with padding, rectangular kernels, per-side padding, strides
//! that do not tile, one filter over many channels (the depthwise lowering) and many filters,
//! bias and ReLU. Each case is valid by construction; a failure names its seed.

use super::*;
use crate::common::{assert_close, assert_conv_close};
use cnn_playground::engine::{gemm, Engine};
use cnn_playground::geometry::{AxisPad, Padding};
use cnn_playground::ops::{Conv, Pool, PoolMode};
use cnn_playground::reference;
use cnn_playground::rng::Rng;

/// The seed of the whole run: case `i` uses `SEED + i`.
const SEED: u64 = 20_261_201;

/// One axis: `(n, f, padding, stride)` with `n + padding ≥ f`; `max_pad` bounds each side.
fn axis(rng: &mut Rng, max_f: usize, max_pad: usize) -> (usize, usize, AxisPad, usize) {
    let f = rng.int(1, max_f);
    let pad = AxisPad {
        before: rng.int(0, max_pad),
        after: rng.int(0, max_pad),
    };
    let min_n = f.saturating_sub(pad.total()).max(1);
    (rng.int(min_n, min_n + 8), f, pad, rng.int(1, 3))
}

fn values(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.range(-4.0, 4.0)).collect()
}

/// Case `i`: every fourth one a 2D kernel one column wide with width padding (tract's wasm
/// blocked convolution), every third one filter over several channels (the depthwise lowering).
#[allow(clippy::type_complexity)]
fn conv_case(
    i: u64,
) -> (
    Vec<usize>,
    Vec<usize>,
    Padding,
    Vec<usize>,
    Vec<f32>,
    Vec<f32>,
    Option<Vec<f32>>,
    bool,
) {
    let mut rng = Rng::new(SEED + i);
    let rank = 1 + (i % 3) as usize;
    let (rank, max_f) = if i.is_multiple_of(4) {
        (2, 1)
    } else {
        (rank, 4)
    };
    let mut axes: Vec<_> = (0..rank)
        .map(|_| axis(&mut rng, if rank == 3 { 3 } else { max_f.max(1) }, 2))
        .collect();
    if i.is_multiple_of(4) {
        // A kernel rows × 1 with at least one zero column: the case tract 0.23.9 gets wrong.
        axes[0].1 = rng.int(1, 3);
        axes[0].0 = axes[0].0.max(axes[0].1);
        axes[1].2.before = rng.int(1, 2);
    }
    let c = rng.int(1, 4);
    let k = if i.is_multiple_of(3) {
        1
    } else {
        rng.int(1, 9)
    };
    let input_shape: Vec<usize> = std::iter::once(c).chain(axes.iter().map(|a| a.0)).collect();
    let weight_shape: Vec<usize> = [k, c].into_iter().chain(axes.iter().map(|a| a.1)).collect();
    let input = values(&mut rng, input_shape.iter().product());
    let weight = values(&mut rng, weight_shape.iter().product());
    let bias = (rng.unit() < 0.5).then(|| values(&mut rng, k));
    let relu = rng.unit() < 0.5;
    let padding = Padding::PerAxis(axes.iter().map(|a| a.2).collect());
    let stride = axes.iter().map(|a| a.3).collect();
    (
        input_shape,
        weight_shape,
        padding,
        stride,
        input,
        weight,
        bias,
        relu,
    )
}

/// Runs conv cases `0..cases` on a new engine and checks each against the reference; returns how
/// many were 2D kernels one column wide with width padding, and how many one filter over several
/// channels.
fn random_convolutions_equal_the_reference(cases: u64) -> (usize, usize) {
    let mut engine = Engine::new();
    let (mut one_column_padded, mut depthwise) = (0, 0);
    for i in 0..cases {
        let (input_shape, weight_shape, padding, stride, input, weight, bias, relu) = conv_case(i);
        let conv = Conv {
            input: &input,
            input_shape: &input_shape,
            weight: &weight,
            weight_shape: &weight_shape,
            bias: bias.as_deref(),
            padding: &padding,
            stride: &stride,
            relu,
        };
        let what = format!("case {i} (seed {}): {conv:?}", SEED + i);
        let tract = engine
            .conv(&conv)
            .unwrap_or_else(|e| panic!("{what}: {e:#}"));
        assert_conv_close(&conv, &tract, &what);
        let padded_columns =
            matches!(&padding, Padding::PerAxis(p) if p.len() == 2 && p[1].total() > 0);
        one_column_padded +=
            usize::from(weight_shape.len() == 4 && weight_shape[3] == 1 && padded_columns);
        depthwise += usize::from(weight_shape[0] == 1 && weight_shape[1] > 1);
    }
    (one_column_padded, depthwise)
}

#[wasm_bindgen_test]
fn a_thousand_random_convolutions_equal_the_reference_in_the_browser() {
    let (one_column_padded, depthwise) = random_convolutions_equal_the_reference(1000);
    assert!(
        one_column_padded >= 250,
        "{one_column_padded} one-column kernels with padding"
    );
    assert!(
        depthwise >= 200,
        "{depthwise} one-filter convolutions over several channels"
    );
}

#[wasm_bindgen_test]
fn five_hundred_random_poolings_equal_the_reference_in_the_browser() {
    let mut engine = Engine::new();
    for i in 0..500u64 {
        let mut rng = Rng::new(SEED + 1_000_000 + i);
        let rank = 1 + (i % 3) as usize;
        let axes: Vec<_> = (0..rank)
            .map(|_| {
                // Each side's padding smaller than the window.
                let f = rng.int(1, 4);
                let pad = AxisPad {
                    before: rng.int(0, f - 1),
                    after: rng.int(0, f - 1),
                };
                let min_n = f.saturating_sub(pad.total()).max(1);
                (rng.int(min_n, min_n + 8), f, pad, rng.int(1, 3))
            })
            .collect();
        let c = rng.int(1, 3);
        let input_shape: Vec<usize> = std::iter::once(c).chain(axes.iter().map(|a| a.0)).collect();
        let input = values(&mut rng, input_shape.iter().product());
        let padding = Padding::PerAxis(axes.iter().map(|a| a.2).collect());
        let size: Vec<usize> = axes.iter().map(|a| a.1).collect();
        let stride: Vec<usize> = axes.iter().map(|a| a.3).collect();
        let pool = Pool {
            input: &input,
            input_shape: &input_shape,
            mode: if i % 2 == 0 {
                PoolMode::Max
            } else {
                PoolMode::Average
            },
            size: &size,
            padding: &padding,
            stride: &stride,
        };
        let what = format!("case {i} (seed {}): {pool:?}", SEED + 1_000_000 + i);
        let tract = engine
            .pool(&pool)
            .unwrap_or_else(|e| panic!("{what}: {e:#}"));
        assert_close(&tract, &reference::pool(&pool).unwrap(), 1e-5, &what);
    }
}

/// The engine's stride-1 convolution (`engine::direct_conv::DirectConv`: four output channels
/// times eight pixels in wasm vectors, a fused leaky ReLU) against tract's own optimised
/// convolution in the browser, on the 400 seeded cases the native suite runs on the scalar path.
#[wasm_bindgen_test]
fn direct_convolution_equals_tracts_in_the_browser() {
    let largest = crate::common::check_direct_convs(400);
    web_sys::console::log_1(
        &format!("largest |tract - DirectConv| over 400 cases: {largest:e}").into(),
    );
}

/// tract's Fourier transform (ONNX `DFT`) on the rustfft stand-in (patches/rustfft) equals a
/// plain DFT in the browser too, on the native suite's lengths.
#[wasm_bindgen_test]
fn fourier_transform_equals_the_direct_sum_in_the_browser() {
    let lengths: Vec<usize> = (1..=17).chain([32, 100, 256]).collect();
    let largest = crate::common::check_fft(&lengths);
    web_sys::console::log_1(
        &format!("largest |tract's Fft - direct sum|, relative: {largest:e}").into(),
    );
}

/// The engine's SiLU (`engine::silu`: wasm vectors, pmin/pmax clamps, fused multiply-add in the
/// relaxed-SIMD build) against tract's own wasm `Silu`, and in place of it in a plan.
#[wasm_bindgen_test]
fn the_engines_silu_equals_tracts_in_the_browser() {
    let largest = crate::common::check_silu();
    web_sys::console::log_1(&format!("largest |tract - engine| SiLU: {largest:e}").into());
}

/// The module was built with the SIMD features its test step asked for: scripts/test.sh runs this
/// file a second time on a `+relaxed-simd` build, with `CNN_PLAYGROUND_RELAXED=1` at compile time,
/// and that run must really exercise the fused multiply-add kernels.
#[wasm_bindgen_test]
fn differential_module_has_the_simd_features_asked_for() {
    let relaxed = option_env!("CNN_PLAYGROUND_RELAXED") == Some("1");
    assert_eq!(cfg!(target_feature = "relaxed-simd"), relaxed);
}

/// Sets the engine's matrix-product kernel (`engine::gemm`) for the life of the guard, and puts
/// back `Auto` when it is dropped.
struct KernelChoice;

impl KernelChoice {
    fn set(choice: gemm::Choice) -> KernelChoice {
        gemm::set_choice(choice);
        KernelChoice
    }
}

impl Drop for KernelChoice {
    fn drop(&mut self) {
        gemm::set_choice(gemm::Choice::Auto);
    }
}

/// The engine's 4×8 matrix-product kernel (`engine::gemm`), called alone with tract's kernel
/// protocol: every fused operation tract may send it, after a product of seeded panels, against
/// the same operation in plain Rust on the f64 product. A is packed `[k][4]`, B `[k][8]`.
#[wasm_bindgen_test]
fn the_crates_matrix_kernel_does_every_fused_operation_like_plain_rust() {
    use tract_onnx::tract_core::tract_linalg::mmm::{
        FusedKerSpec as F, MatMatMulKer, OutputStoreKer, RoundingPolicy,
    };
    use tract_onnx::tract_core::tract_linalg::Scaler;
    let kernel = gemm::kernel();
    assert_eq!((kernel.mr(), kernel.nr()), (4, 8));
    let mut rng = Rng::new(SEED);
    for k in [0usize, 1, 2, 7, 64] {
        let a = values(&mut rng, 4 * k);
        let b = values(&mut rng, 8 * k);
        let product: Vec<f64> = (0..32)
            .map(|i| {
                let (r, c) = (i / 8, i % 8);
                (0..k)
                    .map(|j| a[j * 4 + r] as f64 * b[j * 8 + c] as f64)
                    .sum()
            })
            .collect();
        let rows = values(&mut rng, 4);
        let cols = values(&mut rng, 8);
        let tile = values(&mut rng, 32);
        let s = rng.range(-2.0, 2.0);
        // Runs Clear, AddMatMul, `op`, Store (row-major, or column-major when `transposed`) and
        // checks each value against `expect(row, column, product)`.
        let check = |what: &str,
                     op: F<f32>,
                     transposed: bool,
                     expect: &dyn Fn(usize, usize, f32) -> f32| {
            let mut out = vec![f32::NAN; 32];
            let (row_stride, col_stride) = if transposed { (4, 16) } else { (32, 4) };
            let store = OutputStoreKer {
                ptr: out.as_mut_ptr() as *mut u8,
                row_byte_stride: row_stride,
                col_byte_stride: col_stride,
                item_size: 4,
            };
            let ops = [
                F::Clear,
                F::AddMatMul {
                    k,
                    pa: a.as_ptr() as *const u8,
                    pb: b.as_ptr() as *const u8,
                    packing: 0,
                },
                op,
                F::Store(store),
                F::Done,
            ];
            assert_eq!(kernel.kernel(&ops), 0, "{what}");
            for r in 0..4 {
                for c in 0..8 {
                    let got = if transposed {
                        out[c * 4 + r]
                    } else {
                        out[r * 8 + c]
                    };
                    let want = expect(r, c, product[r * 8 + c] as f32);
                    assert!(
                        (got - want).abs() <= 1e-5 * (1.0 + want.abs() + k as f32),
                        "k = {k}, {what}: row {r} column {c}: kernel {got}, plain Rust {want}"
                    );
                }
            }
        };
        let p = |_: usize, _: usize, x: f32| x;
        check("Clear", F::Clear, false, &|_, _, _| 0.0);
        check("product", F::ScalarMul(1.0), false, &p);
        check("product, stored column-major", F::ScalarMul(1.0), true, &p);
        check("ScalarMin", F::ScalarMin(s), false, &|_, _, x| x.min(s));
        check("ScalarMax", F::ScalarMax(s), false, &|_, _, x| x.max(s));
        check("ScalarAdd", F::ScalarAdd(s), false, &|_, _, x| x + s);
        check("ScalarMul", F::ScalarMul(s), false, &|_, _, x| x * s);
        check("ScalarSub", F::ScalarSub(s), false, &|_, _, x| s - x);
        check("ScalarSubF", F::ScalarSubF(s), false, &|_, _, x| x - s);
        check("LeakyRelu", F::LeakyRelu(0.1), false, &|_, _, x| {
            if x > 0.0 {
                x
            } else {
                0.1 * x
            }
        });
        let r = rows.as_ptr();
        check("PerRowMin", F::PerRowMin(r), false, &|i, _, x| {
            x.min(rows[i])
        });
        check("PerRowMax", F::PerRowMax(r), false, &|i, _, x| {
            x.max(rows[i])
        });
        check("PerRowAdd", F::PerRowAdd(r), false, &|i, _, x| x + rows[i]);
        check("PerRowMul", F::PerRowMul(r), false, &|i, _, x| x * rows[i]);
        check("PerRowSub", F::PerRowSub(r), false, &|i, _, x| rows[i] - x);
        check("PerRowSubF", F::PerRowSubF(r), false, &|i, _, x| {
            x - rows[i]
        });
        let c = cols.as_ptr();
        check("PerColMin", F::PerColMin(c), false, &|_, j, x| {
            x.min(cols[j])
        });
        check("PerColMax", F::PerColMax(c), false, &|_, j, x| {
            x.max(cols[j])
        });
        check("PerColAdd", F::PerColAdd(c), false, &|_, j, x| x + cols[j]);
        check("PerColMul", F::PerColMul(c), false, &|_, j, x| x * cols[j]);
        check("PerColSub", F::PerColSub(c), false, &|_, j, x| cols[j] - x);
        check("PerColSubF", F::PerColSubF(c), false, &|_, j, x| {
            x - cols[j]
        });
        check(
            "AddRowColProducts",
            F::AddRowColProducts(r, c),
            false,
            &|i, j, x| x + rows[i] * cols[j],
        );
        let scale = Scaler::from_fuse_params(3, RoundingPolicy::Even, 1 << 30).scale;
        check(
            "QScale",
            F::QScale(3, RoundingPolicy::Even, 1 << 30),
            false,
            &|_, _, x| x * scale,
        );
        check(
            "RoundingShiftRight",
            F::RoundingShiftRight(2, RoundingPolicy::Even),
            false,
            &|_, _, x| x / 4.0,
        );
        check("ShiftLeft", F::ShiftLeft(3), false, &|_, _, x| x * 8.0);
        // The tile to add, column-major: (row, column) at column · 4 + row.
        let unicast = OutputStoreKer {
            ptr: tile.as_ptr() as *mut u8,
            row_byte_stride: 4,
            col_byte_stride: 16,
            item_size: 4,
        };
        check("AddUnicast", F::AddUnicast(unicast), false, &|i, j, x| {
            x + tile[j * 4 + i]
        });
        // LoadTile replaces the product with a row-major tile.
        check(
            "LoadTile",
            F::LoadTile(std::ptr::null(), tile.as_ptr()),
            false,
            &|i, j, _| tile[i * 8 + j],
        );
    }
}

/// The engine's 4×8 matrix-product kernel inside tract's plans: a residual block whose 3×3
/// convolutions tract computes as matrix products (13 channels, so 117 taps, rows and columns that
/// do not fill whole 4×8 tiles, a bias, ReLUs and a residual sum tract may fuse into the product),
/// a strided convolution and a dense layer, and the bundled models, loaded with tract's own
/// kernel and with the engine's. The plans must name the kernel asked for, and the outputs agree.
#[wasm_bindgen_test]
fn the_crates_matrix_kernel_gives_tracts_outputs_in_tracts_plans() {
    use cnn_playground::engine::Model;
    use cnn_playground::graph::{encode, GraphBuilder};
    let mut rng = Rng::new(SEED + 1);
    let (c, h) = (13, 11);
    let mut g = GraphBuilder::new("residual", &[1, c, h, h]);
    let x = g.input();
    let w1 = values(&mut rng, c * c * 9);
    let b1 = values(&mut rng, c);
    let y = g.conv(
        &x,
        (&[c, c, 3, 3], &w1),
        Some(&b1),
        &[1, 1, 1, 1],
        &[1, 1],
        1,
    );
    let y = g.relu(&y);
    let w2 = values(&mut rng, c * c * 9);
    let y = g.conv(&y, (&[c, c, 3, 3], &w2), None, &[1, 1, 1, 1], &[1, 1], 1);
    let y = g.add(&y, &x);
    let y = g.relu(&y);
    let w3 = values(&mut rng, 6 * c * 9);
    let y = g.conv(&y, (&[6, c, 3, 3], &w3), None, &[0, 0, 0, 0], &[2, 2], 1);
    let y = g.flatten(&y);
    let w4 = values(&mut rng, 10 * 6 * 25);
    let b4 = values(&mut rng, 10);
    let y = g.dense(&y, (&[10, 6 * 25], &w4), &b4);
    let residual = encode(&g.finish(&y));
    let sliding: &[usize] = &[1, 3, 28, 28];
    // (name, file, input shape where the file leaves sizes open)
    type Case<'a> = (&'a str, &'a [u8], Option<&'a [usize]>);
    let models: [Case; 6] = [
        ("residual block", &residual, None),
        (
            "lenet5-digits",
            include_bytes!("../../www/models/lenet5-digits.onnx"),
            None,
        ),
        (
            "sliding-windows",
            include_bytes!("../../www/models/sliding-windows.onnx"),
            Some(sliding),
        ),
        (
            "shapes-detector",
            include_bytes!("../../www/models/shapes-detector.onnx"),
            None,
        ),
        (
            "face-landmarks",
            include_bytes!("../../www/models/face-landmarks.onnx"),
            None,
        ),
        (
            "digit-embedding",
            include_bytes!("../../www/models/digit-embedding.onnx"),
            None,
        ),
    ];
    let mut with_ours = 0;
    for (name, bytes, shape) in models {
        let run = |choice| {
            let _choice = KernelChoice::set(choice);
            let model = Model::load_with_input_shape(bytes, shape)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
            let mut rng = Rng::new(SEED + 2);
            let input = values(&mut rng, model.input_shape().iter().product());
            let out = model
                .run(&input)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
            (model.mat_mul_kernels(), out.data)
        };
        let (tracts_kernels, tracts) = run(gemm::Choice::Tract);
        let (our_kernels, ours) = run(gemm::Choice::Rows4);
        assert!(
            !tracts_kernels.iter().any(|k| k == gemm::KERNEL_NAME),
            "{name}: tract's choice {tracts_kernels:?}"
        );
        // Products of more than one column get the engine's kernel, matrix-vector ones keep
        // tract's: the kernels differ exactly where tract's choice was not a matrix-vector one.
        assert_eq!(tracts_kernels.len(), our_kernels.len(), "{name}");
        for (t, o) in tracts_kernels.iter().zip(&our_kernels) {
            let vector = t.ends_with("x1");
            assert_eq!(o == gemm::KERNEL_NAME, !vector, "{name}: {t} became {o}");
            with_ours += usize::from(!vector);
        }
        assert_eq!(ours.len(), tracts.len(), "{name}");
        for (i, (o, t)) in ours.iter().zip(&tracts).enumerate() {
            assert!(
                (o - t).abs() <= 1e-5 * (1.0 + t.abs()),
                "{name}: output {i}: {o} against tract's {t}"
            );
        }
    }
    // What the page gets: the engine's kernel where the engine runs on x86.
    let residual_auto = Model::load(&residual).unwrap().mat_mul_kernels();
    assert!(!residual_auto.is_empty());
    let x86 = gemm::machine_is_x86();
    for k in residual_auto.iter().filter(|k| !k.ends_with("x1")) {
        assert_eq!(
            k == gemm::KERNEL_NAME,
            x86,
            "x86: {x86}, kernels {residual_auto:?}"
        );
    }
    assert!(
        with_ours >= 8,
        "{with_ours} matrix products on the engine's kernel"
    );
    web_sys::console::log_1(
        &format!("{with_ours} matrix products on the engine's kernel; x86: {x86}").into(),
    );
}

/// Random convolutions on the engine's 4×8 kernel against the reference (the thousand above run
/// on the kernel this machine gets, which is tract's on ARM).
#[wasm_bindgen_test]
fn four_hundred_random_convolutions_on_the_crates_matrix_kernel_equal_the_reference() {
    let _choice = KernelChoice::set(gemm::Choice::Rows4);
    random_convolutions_equal_the_reference(400);
}

/// The engine's optimiser driver (`engine::optim`) gives tract's own plans node for node in the
/// browser, where tract picks its wasm kernels (`common::check_optimiser`), and compares no ops
/// while it applies patches (`common::check_patch_comparisons`).
#[wasm_bindgen_test]
fn the_engines_optimiser_gives_tracts_plans_in_the_browser() {
    crate::common::check_optimiser(&bundled_models!(
        "lenet5-digits",
        "shapes-detector",
        "face-detector",
    ));
    crate::common::check_patch_comparisons();
}
