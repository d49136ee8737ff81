//! tract against the plain-Rust reference where learners run it: inside the browser's wasm
//! module, where tract picks its wasm kernels (`wasm_f32_8x8`, the direct "blocked" convolution).
//! 1,000 seeded random convolutions and 500 poolings per run over 1, 2 and 3 spatial axes,
//! covering kernels one column wide with padding, rectangular kernels, per-side padding, strides
//! that do not tile, one filter over many channels (the depthwise lowering) and many filters,
//! bias and ReLU. Each case is valid by construction; a failure names its seed.

use super::*;
use crate::common::{assert_close, assert_conv_close};
use cnn_playground::engine::Engine;
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

#[wasm_bindgen_test]
fn a_thousand_random_convolutions_equal_the_reference_in_the_browser() {
    let mut engine = Engine::new();
    let (mut one_column_padded, mut depthwise) = (0, 0);
    for i in 0..1000 {
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

/// The module was built with the SIMD features its test step asked for: scripts/test.sh runs this
/// file a second time on a `+relaxed-simd` build, with `CNN_PLAYGROUND_RELAXED=1` at compile time,
/// and that run must really exercise the fused multiply-add kernels.
#[wasm_bindgen_test]
fn differential_module_has_the_simd_features_asked_for() {
    let relaxed = option_env!("CNN_PLAYGROUND_RELAXED") == Some("1");
    assert_eq!(cfg!(target_feature = "relaxed-simd"), relaxed);
}
