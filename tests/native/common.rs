//! Helpers shared by the native suite (tests/native) and the browser suite (tests/web).
#![allow(dead_code, unused_macros)]

use cnn_playground::engine::Engine;
use cnn_playground::ops::{Conv, Output};
use cnn_playground::reference;
use tract_onnx::prelude::{TValue, TVec};

/// The 6x6 grey-scale image of lecture 02 (course notes, "Edge Detection Example").
pub const COURSE_IMAGE: [f32; 36] = [
    3., 0., 1., 2., 7., 4., //
    1., 5., 8., 9., 3., 1., //
    2., 7., 2., 5., 1., 3., //
    0., 1., 3., 1., 7., 8., //
    4., 2., 1., 6., 2., 8., //
    2., 4., 5., 2., 3., 9.,
];

/// Its vertical-edge output as given in lecture 02.
pub const COURSE_OUTPUT: [f32; 16] = [
    -5., -4., 0., 8., //
    -10., -2., 2., 3., //
    0., -2., -4., -7., //
    -3., -2., -3., -16.,
];

/// The bundled models named, as `(name, ONNX bytes)` pairs read from `www/models/{name}.onnx` at
/// compile time.
macro_rules! bundled_models {
    ($($name:literal),+ $(,)?) => {
        [$((
            $name,
            &include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/www/models/", $name, ".onnx"))[..],
        )),+]
    };
}

/// A 6x6 image whose left half is `left` and right half `right` (lecture 02/03: 10 and 0).
pub fn halves(left: f32, right: f32) -> Vec<f32> {
    (0..36)
        .map(|i| if i % 6 < 3 { left } else { right })
        .collect()
}

/// A single-channel, single-filter 2D convolution `Conv` of `image` (`[1, n0, n1]`) with an
/// `f × f` `kernel`, `padding` and stride `s` (a macro so the shapes live where it is used).
macro_rules! conv_1x1ch {
    ($image:expr, $n:expr, $kernel:expr, $f:expr, $padding:expr, $s:expr $(,)?) => {
        cnn_playground::ops::Conv {
            input: $image,
            input_shape: &[1, $n[0], $n[1]],
            weight: $kernel,
            weight_shape: &[1, 1, $f, $f],
            bias: None,
            padding: $padding,
            stride: &[$s, $s],
            relu: false,
        }
    };
}

/// Runs `conv` through both tract and the reference and returns both outputs.
pub fn both(engine: &mut Engine, conv: &Conv) -> (Output, Output) {
    let tract = engine.conv(conv).expect("tract conv");
    let reference = reference::conv(conv).expect("reference conv");
    (tract, reference)
}

/// Asserts two outputs have the same shape and agree within `tol` relative to their magnitude.
pub fn assert_close(a: &Output, b: &Output, tol: f32, what: &str) {
    assert_eq!(a.shape, b.shape, "{what}: shapes differ");
    for (i, (x, y)) in a.data.iter().zip(&b.data).enumerate() {
        let scale = 1f32.max(x.abs()).max(y.abs());
        assert!(
            (x - y).abs() <= tol * scale,
            "{what}: value {i} differs: {x} vs {y}"
        );
    }
}

/// Asserts that tract's output of `conv` agrees with the reference cell by cell within the
/// rounding bound of a float sum: two summation orders of `n` terms can differ by up to about
/// `2·n·ε·Σ|term|`, whatever the result's own size (terms may cancel). The bound here is
/// `2·(n + 1)·ε·(Σ |input·weight| + |bias|)` per cell, where the magnitudes are the reference
/// convolution of `|input|` with `|weight|` plus `|bias|`; a real error (a wrong window, weight or
/// bias) is orders of magnitude larger.
pub fn assert_conv_close(conv: &Conv, tract: &Output, what: &str) {
    let reference = reference::conv(conv).expect("reference conv");
    assert_eq!(tract.shape, reference.shape, "{what}: shapes differ");
    let abs = |v: &[f32]| v.iter().map(|x| x.abs()).collect::<Vec<_>>();
    let (input, weight, bias) = (abs(conv.input), abs(conv.weight), conv.bias.map(abs));
    let magnitude = reference::conv(&Conv {
        input: &input,
        weight: &weight,
        bias: bias.as_deref(),
        relu: false,
        ..*conv
    })
    .expect("magnitude conv");
    let terms = (conv.weight_shape[1..].iter().product::<usize>() + 1) as f32;
    for (i, ((a, b), m)) in tract
        .data
        .iter()
        .zip(&reference.data)
        .zip(&magnitude.data)
        .enumerate()
    {
        let bound = 2.0 * terms * f32::EPSILON * m;
        assert!(
            (a - b).abs() <= bound,
            "{what}: value {i} differs: {a} vs {b} (bound {bound})"
        );
    }
}

/// The input data/face/reference.cjs gives face-api for `seed`: HWC bytes `(i·7919 + seed·104729)
/// mod 256` of a `size × size` RGB image, here CHW in 0..1 as the converted graphs take it.
pub fn face_reference_input(size: usize, seed: usize) -> Vec<f32> {
    let mut chw = vec![0.0f32; 3 * size * size];
    for y in 0..size {
        for x in 0..size {
            for c in 0..3 {
                let i = (y * size + x) * 3 + c;
                chw[(c * size + y) * size + x] = ((i * 7919 + seed * 104729) % 256) as f32 / 255.0;
            }
        }
    }
    chw
}

/// face-api's output for `seed` in a reference fixture written by data/face/reference.cjs
/// (`[{"seed":1,"<key>":[…]}, …]`).
pub fn face_reference_output(fixture: &str, key: &str, seed: usize) -> Vec<f32> {
    let start = fixture
        .find(&format!("{{\"seed\":{seed},\"{key}\":["))
        .expect("the seed in the fixture");
    let list = &fixture[start..];
    let list = &list[list.find('[').unwrap() + 1..list.find(']').unwrap()];
    list.split(',').map(|v| v.parse().unwrap()).collect()
}

/// The largest |a − b| over two lists of one length.
pub fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Runs `model` on data/face/reference.cjs's two inputs (`side × side`) and checks each of its
/// `len` outputs against face-api's in `fixture` (under `key`) to 1e-4; returns tract's outputs.
pub fn check_against_face_api(
    model: &cnn_playground::engine::Model,
    fixture: &str,
    key: &str,
    side: usize,
    len: usize,
) -> Vec<Vec<f32>> {
    [1usize, 2]
        .iter()
        .map(|&seed| {
            let ours = model.run(&face_reference_input(side, seed)).unwrap().data;
            let theirs = face_reference_output(fixture, key, seed);
            assert_eq!(theirs.len(), len);
            let diff = largest_difference(&ours, &theirs);
            println!("seed {seed}: largest |tract − face-api| = {diff:e}");
            assert!(diff < 1e-4, "seed {seed}: {diff}");
            ours
        })
        .collect()
}

/// ONNX `bytes` read by tract and typed (its shapes as the file declares them).
pub fn typed_onnx(bytes: &[u8]) -> tract_onnx::prelude::TypedModel {
    use tract_onnx::prelude::*;
    tract_onnx::onnx()
        .model_for_read(&mut &bytes[..])
        .unwrap()
        .into_typed()
        .unwrap()
}

/// ONNX `bytes` read by tract with the input shape `engine::Model::load` gives them (the file's,
/// a symbolic batch set to 1), types and shapes inferred; and that shape.
pub fn typed_onnx_as_loaded(bytes: &[u8]) -> (tract_onnx::prelude::TypedModel, Vec<usize>) {
    use tract_onnx::prelude::*;
    let shape = cnn_playground::engine::Model::load(bytes)
        .unwrap()
        .input_shape()
        .to_vec();
    let mut model = tract_onnx::onnx().model_for_read(&mut &bytes[..]).unwrap();
    model.set_input_fact(0, f32::fact(&shape).into()).unwrap();
    (model.into_typed().unwrap(), shape)
}

/// `model` made runnable and run on `shape`'s probe input (value `i` is `(i·7919 mod 255)/255`):
/// its first output.
pub fn probe_output(model: tract_onnx::prelude::TypedModel, shape: &[usize]) -> Vec<f32> {
    use tract_onnx::prelude::*;
    let n: usize = shape.iter().product();
    let input: Vec<f32> = (0..n).map(|i| ((i * 7919) % 255) as f32 / 255.0).collect();
    let input = Tensor::from_shape(shape, &input).unwrap().into_tvalue();
    first_output(&model.into_runnable().unwrap().run(tvec!(input)).unwrap())
}

/// The first of a tract plan's `outputs`, as f32 values in row-major order.
pub fn first_output(outputs: &TVec<TValue>) -> Vec<f32> {
    outputs[0]
        .to_plain_array_view::<f32>()
        .unwrap()
        .iter()
        .copied()
        .collect()
}

/// Random stride-1 convolution `case` (seeded): `[1, c, h, w]` by `o` filters `kh × kw` with
/// per-side padding and a bias, then a leaky ReLU of a random slope (negative and above 1
/// included), a ReLU or nothing; every third case a 1×1 kernel without padding, every fifth a
/// wide image, so that the vector kernel's blocks of 8 columns and its tails both run. Returns
/// `(tract's own output, the engine's output, what was run)`, after checking that the engine
/// computed it with `DirectConv` (and fused the leaky ReLU).
pub fn direct_conv_against_tract(case: u64) -> (Vec<f32>, Vec<f32>, String) {
    use cnn_playground::graph::{encode, GraphBuilder};
    use cnn_playground::rng::Rng;
    use tract_onnx::prelude::*;
    let mut rng = Rng::new(20_261_202 + case);
    let pointwise = case.is_multiple_of(3);
    let (kh, kw) = if pointwise {
        (1, 1)
    } else {
        (rng.int(1, 3), rng.int(1, 5))
    };
    let pad: [usize; 4] = if pointwise {
        [0; 4]
    } else {
        std::array::from_fn(|_| rng.int(0, 2))
    };
    let wide = case.is_multiple_of(5);
    // Wider kernels are swapped up to `MAX_TAPS` taps.
    let c = rng.int(
        1,
        if pointwise {
            24
        } else {
            cnn_playground::engine::direct_conv::MAX_TAPS / (kh * kw)
        },
    );
    let o = rng.int(1, 11);
    let h = rng.int(kh.saturating_sub(pad[0] + pad[2]).max(1), 12);
    let w = rng.int(
        kw.saturating_sub(pad[1] + pad[3]).max(1),
        if wide { 70 } else { 20 },
    );
    let activation = rng.int(0, 2);
    let slope = [0.1, -0.5, 1.5][rng.int(0, 2)];
    let weights: Vec<f32> = (0..o * c * kh * kw).map(|_| rng.range(-1.0, 1.0)).collect();
    let bias: Vec<f32> = (0..o).map(|_| rng.range(-1.0, 1.0)).collect();
    let input: Vec<f32> = (0..c * h * w).map(|_| rng.range(-1.0, 1.0)).collect();
    let mut g = GraphBuilder::new("direct-conv", &[1, c, h, w]);
    let x = g.input();
    let y = g.conv(
        &x,
        (&[o, c, kh, kw], &weights),
        Some(&bias),
        &pad,
        &[1, 1],
        1,
    );
    let y = match activation {
        0 => g.leaky_relu(&y, slope),
        1 => g.relu(&y),
        _ => y,
    };
    let bytes = encode(&g.finish(&y));
    let what = format!(
        "case {case}: {c}x{h}x{w} * {o}x{c}x{kh}x{kw}, pads {pad:?}, activation {activation} (slope {slope})"
    );
    let typed = || typed_onnx(&bytes);
    let run = |plan: &cnn_playground::engine::Plan| -> Vec<f32> {
        let tensor = Tensor::from_shape(&[1, c, h, w], &input).unwrap();
        first_output(&plan.run(tvec!(tensor.into_tvalue())).unwrap())
    };
    // tract's own op, with its wasm "blocked" convolution off where it would fail (the engine's
    // work-around, `engine::has_blocked_conv_hazard`).
    let plain = tract_onnx::tract_core::knobs::KnobScope::new([(
        "TRACT_DISABLE_BLOCKED_CONV",
        if cnn_playground::engine::has_blocked_conv_hazard(&typed()) {
            "true"
        } else {
            "false"
        },
    )])
    .unwrap()
    .enter(|| typed().into_optimized().unwrap().into_runnable().unwrap());
    let plain = std::sync::Arc::new(plain);
    let ours = cnn_playground::engine::optimize(typed()).unwrap();
    let ops: Vec<String> = ours
        .model()
        .nodes()
        .iter()
        .map(|n| n.op.name().to_string())
        .collect();
    assert!(ops.iter().any(|op| op == "DirectConv"), "{what}: {ops:?}");
    if activation == 0 {
        assert!(
            !ops.iter().any(|op| op.contains("LeakyRelu")),
            "{what}: {ops:?}"
        );
    }
    (run(&plain), run(&ours), what)
}

/// Runs [`direct_conv_against_tract`] on `cases` cases and checks every output within
/// `1e-4 · (1 + |tract's value|)` (the two sum the taps in different orders); returns the
/// largest difference seen.
pub fn check_direct_convs(cases: u64) -> f32 {
    let mut largest = 0f32;
    for case in 0..cases {
        let (tract, ours, what) = direct_conv_against_tract(case);
        assert_eq!(tract.len(), ours.len(), "{what}");
        for (i, (a, b)) in tract.iter().zip(&ours).enumerate() {
            assert!(
                (a - b).abs() <= 1e-4 * (1.0 + a.abs()),
                "{what}: output {i}: tract {a}, engine {b}"
            );
            largest = largest.max((a - b).abs());
        }
    }
    largest
}

/// tract's `Fft` op (what the ONNX `DFT` op becomes) on `[2, n, 2]` inputs (two signals of `n`
/// complex values, `[re, im]` last) against the direct sum `X[k] = Σ_j x[j]·e^(∓2πi·jk/n)` in
/// f64, forward and inverse (unnormalised, as tract's op is), for every `n` in `lengths` (powers
/// of two and others take different paths of the rustfft stand-in, patches/rustfft). Each value
/// must be within `1e-4 · (1 + Σ|x|)`; returns the largest difference relative to that scale.
pub fn check_fft(lengths: &[usize]) -> f64 {
    use cnn_playground::rng::Rng;
    use tract_onnx::prelude::*;
    use tract_onnx::tract_core::ops::fft::Fft;
    let mut largest = 0f64;
    for &n in lengths {
        for inverse in [false, true] {
            let mut rng = Rng::new(20_261_203 + n as u64);
            let x: Vec<f32> = (0..2 * n * 2).map(|_| rng.range(-1.0, 1.0)).collect();
            let mut model = TypedModel::default();
            let source = model.add_source("x", f32::fact([2, n, 2])).unwrap();
            let out = model
                .wire_node("fft", Fft { axis: 1, inverse }, &[source])
                .unwrap();
            model.select_output_outlets(&out).unwrap();
            let input = tract_ndarray::Array3::from_shape_vec((2, n, 2), x.clone()).unwrap();
            let ran = model
                .into_runnable()
                .unwrap()
                .run(tvec!(Tensor::from(input).into()))
                .unwrap();
            let got = first_output(&ran);
            let sign = if inverse { 1.0 } else { -1.0 };
            for signal in 0..2 {
                let at = |j: usize, part: usize| f64::from(x[(signal * n + j) * 2 + part]);
                let scale = 1.0 + (0..n).map(|j| at(j, 0).hypot(at(j, 1))).sum::<f64>();
                for k in 0..n {
                    let (mut re, mut im) = (0.0, 0.0);
                    for j in 0..n {
                        let angle =
                            sign * 2.0 * std::f64::consts::PI * ((j * k) % n) as f64 / n as f64;
                        let (s, c) = angle.sin_cos();
                        re += at(j, 0) * c - at(j, 1) * s;
                        im += at(j, 0) * s + at(j, 1) * c;
                    }
                    for (part, want) in [re, im].into_iter().enumerate() {
                        let have = f64::from(got[(signal * n + k) * 2 + part]);
                        let off = (have - want).abs() / scale;
                        assert!(
                            off <= 1e-4,
                            "n = {n}, inverse {inverse}, signal {signal}, X[{k}] part {part}: tract {have}, direct sum {want}"
                        );
                        largest = largest.max(off);
                    }
                }
            }
        }
    }
    largest
}

/// The engine's SiLU (`engine::silu`) against tract's own `Silu` op, on 1,037 seeded values in ±25
/// and on zeros, the clamp's edges, infinities, NaN and a tiny value: each output within
/// `1e-6 · (1 + |x|)` of tract's (natively tract runs another approximation than its wasm kernel,
/// whose function the engine's is), NaN for NaN, and the limits ∞ and −0 for ±∞. Then
/// `x · sigmoid(x)` through the engine's optimiser: tract finds the SiLU, the plan must hold the
/// engine's op, and the output must equal `x / (1 + e^-x)` in f64 within `1e-5 · (1 + |x|)`.
/// Returns the largest difference from tract's.
pub fn check_silu() -> f32 {
    use cnn_playground::engine::{optimize, silu};
    use cnn_playground::rng::Rng;
    use tract_onnx::prelude::*;
    use tract_onnx::tract_core::ops::element_wise::ElementWiseOp;
    use tract_onnx::tract_core::ops::{math, nn};
    let mut rng = Rng::new(20_261_202);
    let mut xs: Vec<f32> = (0..1037).map(|_| rng.range(-25.0, 25.0)).collect();
    xs.extend([0.0, -0.0, 18.6, -18.6, 19.0, -19.0, 100.0, -100.0, 1e-30]);
    xs.extend([f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 0.5]);
    let run = |model: TypedModel| {
        let out = model
            .into_runnable()
            .unwrap()
            .run(tvec!(Tensor::from_shape(&[xs.len()], &xs).unwrap().into()))
            .unwrap();
        first_output(&out)
    };
    let mut tracts = TypedModel::default();
    let x = tracts.add_source("x", f32::fact([xs.len()])).unwrap();
    let y = tracts.wire_node("silu", nn::silu::silu(), &[x]).unwrap();
    tracts.select_output_outlets(&y).unwrap();
    let tracts = run(tracts);
    let mut ours = xs.clone();
    silu::silu(&mut ours);
    let mut largest = 0f32;
    for ((x, t), o) in xs.iter().zip(&tracts).zip(&ours) {
        if x.is_infinite() {
            // The limits: ∞ and −0 (tract's wasm kernel gives NaN for −∞).
            assert_eq!(
                o.to_bits(),
                if *x > 0.0 { *x } else { -0.0 }.to_bits(),
                "SiLU({x}): {o}"
            );
            continue;
        }
        if x.is_nan() || t.is_nan() {
            // NaN in, NaN out (natively tract's kernel gives a number for NaN).
            assert!(o.is_nan(), "SiLU({x}): tract NaN, engine {o}");
            continue;
        }
        // Both approximate the sigmoid to about 1e-7, scaled by x in x · sigmoid(x).
        assert!(
            t == o || (t - o).abs() <= 1e-6 * (1.0 + x.abs()),
            "SiLU({x}): tract {t}, engine {o}"
        );
        if t != o {
            largest = largest.max((t - o).abs());
        }
    }
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact([xs.len()])).unwrap();
    let s = model.wire_node("sigmoid", nn::sigmoid(), &[x]).unwrap();
    let y = model.wire_node("mul", math::mul(), &[x, s[0]]).unwrap();
    model.select_output_outlets(&y).unwrap();
    let plan = optimize(model).unwrap();
    let engines = plan
        .model()
        .nodes()
        .iter()
        .filter(|n| {
            n.op_as::<ElementWiseOp>()
                .is_some_and(|op| op.0.is::<silu::Silu>())
        })
        .count();
    assert_eq!(engines, 1, "the plan: {:?}", plan.model());
    let out = plan
        .run(tvec!(Tensor::from_shape(&[xs.len()], &xs).unwrap().into()))
        .unwrap();
    for (x, y) in xs.iter().zip(first_output(&out)) {
        let exact = *x as f64 / (1.0 + (-*x as f64).exp());
        if x.is_finite() {
            assert!(
                (y as f64 - exact).abs() <= 1e-5 * (1.0 + x.abs() as f64),
                "SiLU({x}) = {y}, exactly {exact}"
            );
        }
    }
    largest
}

/// The engine's optimiser driver (`engine::optim`) gives tract's own plans for `models` (name,
/// ONNX bytes), with tract's full declutter and with the engine's lean one: the same nodes in the
/// same order (names, ops by tract's `dyn_eq`, input wires, output facts), the same model inputs,
/// outputs and properties, and bit-identical outputs on one input.
pub fn check_optimiser(models: &[(&str, &[u8])]) {
    use cnn_playground::engine::{lean_declutter, optim};
    use tract_onnx::tract_core::optim::Optimizer;
    for &(file, bytes) in models {
        let (typed, shape) = typed_onnx_as_loaded(bytes);
        for (declutter, label) in [(Optimizer::declutter(), "full"), (lean_declutter(), "lean")] {
            let mut tracts = typed.clone();
            declutter.optimize(&mut tracts).unwrap();
            tracts.optimize().unwrap();
            let mut engines = typed.clone();
            optim::run(&declutter, &mut engines).unwrap();
            optim::codegen(&mut engines).unwrap();
            let at = format!("{file}, {label} declutter");
            assert_same_graph(&engines, &tracts, &at);
            let bits = |model| -> Vec<u32> {
                probe_output(model, &shape)
                    .iter()
                    .map(|v| v.to_bits())
                    .collect()
            };
            assert_eq!(bits(engines), bits(tracts), "{at}");
        }
    }
}

/// `a` and `b` hold the same nodes in the same order: names, ops (tract's `dyn_eq`), input wires
/// and output facts, and the same model inputs, outputs and property names.
fn assert_same_graph(
    a: &tract_onnx::prelude::TypedModel,
    b: &tract_onnx::prelude::TypedModel,
    at: &str,
) {
    use tract_onnx::prelude::*;
    assert_eq!(a.nodes().len(), b.nodes().len(), "{at}: node count");
    let facts = |n: &TypedNode| n.outputs.iter().map(|o| o.fact.clone()).collect::<Vec<_>>();
    for (x, y) in a.nodes().iter().zip(b.nodes()) {
        assert_eq!(x.name, y.name, "{at}: node {}", x.id);
        assert!(
            x.op.dyn_eq(y.op.as_op()),
            "{at}: node {} {} vs {}",
            x.id,
            x.op,
            y.op
        );
        assert_eq!(x.inputs, y.inputs, "{at}: node {} {}", x.id, x.name);
        assert_eq!(facts(x), facts(y), "{at}: node {} {}", x.id, x.name);
    }
    assert_eq!(a.inputs, b.inputs, "{at}: inputs");
    assert_eq!(a.outputs, b.outputs, "{at}: outputs");
    let keys = |m: &TypedModel| {
        m.properties
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(keys(a), keys(b), "{at}: properties");
}

/// Applying a patch compares no op with the model's ops: code generation replaces each op of a
/// chain of 40 [`counted::Counted`] ops (40 patches), through tract's optimiser and through the
/// engine's, counting the comparisons of two ops. tract-core 0.23.9's `ModelPatch::apply`
/// compares each node a patch adds with every node of the model and discards the result
/// (patches × nodes comparisons, a fifth of the face encoder's load in the browser);
/// `engine::optim::apply` must compare none. tract's count is the control that the count sees
/// such comparisons: if it falls, tract has stopped making them, and `engine::optim` can go.
pub fn check_patch_comparisons() {
    let (tracts, engines) = patch_comparisons();
    assert!(
        tracts >= 40 * 40 / 2,
        "tract's optimiser compared {tracts} times"
    );
    assert_eq!(engines, 0, "tract's optimiser compared {tracts} times");
}

/// The comparisons [`check_patch_comparisons`] counts: `(tract's optimiser, the engine's)`.
fn patch_comparisons() -> (usize, usize) {
    use cnn_playground::engine::optim;
    use counted::{Counted, COMPARISONS};
    use std::sync::atomic::Ordering::Relaxed;
    use tract_onnx::prelude::*;
    let mut model = TypedModel::default();
    let mut x = model.add_source("input", f32::fact([1, 4])).unwrap();
    for i in 0..40 {
        x = model
            .wire_node(format!("counted{i}"), Counted { stage: 0 }, &[x])
            .unwrap()[0];
    }
    model.select_output_outlets(&[x]).unwrap();
    let count = |optimise: &dyn Fn(&mut TypedModel)| {
        let mut m = model.clone();
        let before = COMPARISONS.load(Relaxed);
        optimise(&mut m);
        let stages: Vec<u8> = m
            .nodes()
            .iter()
            .filter_map(|n| n.op_as::<Counted>().map(|c| c.stage))
            .collect();
        assert_eq!(stages, [1; 40], "code generation replaced every op");
        COMPARISONS.load(Relaxed) - before
    };
    (
        count(&|m| m.optimize().unwrap()),
        count(&|m| optim::codegen(m).unwrap()),
    )
}

mod counted {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tract_onnx::tract_core::internal::*;

    /// How many times two [`Counted`] were compared (its `PartialEq`).
    pub static COMPARISONS: AtomicUsize = AtomicUsize::new(0);

    /// An identity op that code generation replaces by its stage 1, counting the comparisons of
    /// two of its kind.
    #[derive(Debug, Clone)]
    pub struct Counted {
        pub stage: u8,
    }

    impl PartialEq for Counted {
        fn eq(&self, other: &Self) -> bool {
            COMPARISONS.fetch_add(1, Ordering::Relaxed);
            self.stage == other.stage
        }
    }

    impl Eq for Counted {}

    impl Op for Counted {
        fn name(&self) -> StaticName {
            "Counted".into()
        }
        op_as_typed_op!();
    }

    impl EvalOp for Counted {
        op_out_of_plan!();

        fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
            Ok(inputs)
        }
    }

    impl TypedOp for Counted {
        fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
            Ok(tvec!(inputs[0].without_value()))
        }

        fn codegen(
            &self,
            model: &TypedModel,
            node: &TypedNode,
        ) -> TractResult<Option<TypedModelPatch>> {
            if self.stage > 0 {
                return Ok(None);
            }
            let next = Counted { stage: 1 };
            TypedModelPatch::replace_single_op(model, node, &node.inputs, next).map(Some)
        }

        as_op!();
    }
}
