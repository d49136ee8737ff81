//! The engine's own choices about tract (`cnn_playground::engine`): the declutter passes it runs,
//! its ops, and its driver for tract's optimiser.

use cnn_playground::engine::{
    direct_conv, has_grouped_conv, is_change_axes, lean_declutter, optimize,
};
use tract_onnx::prelude::*;
use tract_onnx::tract_core::optim::Optimizer;

use crate::common::{probe_output, typed_onnx_as_loaded};

/// The engine declutters with tract's passes minus exactly one, `ChangeAxes`. Fails if a tract
/// upgrade renames or drops that pass, so that the choice (and its measurement) is made again.
#[test]
fn the_lean_declutter_is_tracts_without_change_axes() {
    let full = Optimizer::declutter().passes;
    let lean = lean_declutter().passes;
    let names = |passes: &[Box<dyn tract_onnx::tract_core::optim::TypedPass>]| {
        passes.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>()
    };
    assert_eq!(
        full.iter().filter(|p| is_change_axes(p.as_ref())).count(),
        1,
        "{:?}",
        names(&full)
    );
    let mut expected = names(&full);
    expected.retain(|n| !n.starts_with("ChangeAxes"));
    assert_eq!(names(&lean), expected);
}

/// The bundled models optimised without `ChangeAxes` give exactly the outputs of tract's own
/// `into_optimized` on the same input (the measurement in `core::engine::lean_declutter`'s
/// comment covers the rest of the bundled and torchvision models). The face models hold
/// depthwise convolutions, so the engine optimises them with the pass; the lean way is built here.
#[test]
fn the_lean_declutter_gives_tracts_outputs() {
    for (file, bytes) in bundled_models!(
        "lenet5-digits",
        "shapes-detector",
        "face-detector",
        "face-landmarks",
    ) {
        let (typed, shape) = typed_onnx_as_loaded(bytes);
        assert_eq!(
            probe_output(lean(&typed), &shape),
            probe_output(typed.into_optimized().unwrap(), &shape),
            "{file}"
        );
    }
}

/// `typed` optimised without `ChangeAxes`, the engine's way for models without grouped
/// convolutions.
fn lean(typed: &TypedModel) -> TypedModel {
    let mut lean = typed.clone();
    lean_declutter().optimize(&mut lean).unwrap();
    lean.optimize().unwrap();
    lean
}

/// A model with a depthwise convolution is optimised with tract's `ChangeAxes` (which dropped the
/// batch axis from MobileNetV2's and EfficientNet-B0's depthwise convolutions, 2-3x faster in the
/// browser: `core::engine::has_grouped_conv`); a model without one is optimised lean. Both
/// bundled models are ones where the pass changes the plan.
#[test]
fn depthwise_models_keep_change_axes() {
    let text = |model: &TypedModel| format!("{model}");
    for (file, bytes, grouped) in [
        (
            "face-landmarks",
            &include_bytes!("../../www/models/face-landmarks.onnx")[..],
            true,
        ),
        (
            "face-encoder",
            &include_bytes!("../../www/models/face-encoder.onnx")[..],
            false,
        ),
    ] {
        let (typed, _) = typed_onnx_as_loaded(bytes);
        assert_eq!(has_grouped_conv(&typed), grouped, "{file}");
        // The engine first puts its own convolution in place where it computes one.
        let mut swapped = typed.clone();
        direct_conv::swap_convs(&mut swapped, grouped).unwrap();
        let full = swapped.clone().into_optimized().unwrap();
        let lean = lean(&swapped);
        assert_ne!(
            text(&full),
            text(&lean),
            "{file}: ChangeAxes changed nothing"
        );
        let ours = optimize(typed).unwrap();
        let expected = if grouped { &full } else { &lean };
        assert_eq!(text(ours.model()), text(expected), "{file}");
    }
}

/// The engine's own convolution takes 1×1 convolutions at any depth and wider ones up to
/// `direct_conv::MAX_TAPS` taps; deeper 3×3 convolutions (slower with it in the browser) stay with
/// tract.
#[test]
fn direct_convolution_takes_pointwise_and_shallow_convolutions_only() {
    use cnn_playground::graph::{encode, GraphBuilder};
    let ops = |c: usize, k: usize| -> Vec<String> {
        let mut g = GraphBuilder::new("gate", &[1, c, 12, 12]);
        let x = g.input();
        let y = g.conv(
            &x,
            (&[8, c, k, k], &vec![0.5; 8 * c * k * k]),
            None,
            &[0; 4],
            &[1, 1],
            1,
        );
        let bytes = encode(&g.finish(&y));
        let plan = optimize(crate::common::typed_onnx(&bytes)).unwrap();
        plan.model()
            .nodes()
            .iter()
            .map(|n| n.op.name().to_string())
            .collect()
    };
    let direct = |ops: &[String]| ops.iter().any(|op| op == "DirectConv");
    assert_eq!(direct_conv::MAX_TAPS, 32);
    assert!(direct(&ops(3, 3)), "27 taps");
    assert!(!direct(&ops(4, 3)), "36 taps");
    assert!(direct(&ops(512, 1)), "1x1 over 512 channels");
}

/// Around the engine's own convolutions a batch axis of 1 is dropped the way tract's lowering of a
/// 1×1 convolution drops it, so that tract's depthwise convolutions between them run without it
/// (2-3× faster in the browser): in face-landmarks, every depthwise convolution gets the input
/// shape it gets in tract's own plan (8 of 15 without the batch axis), and every `DirectConv` runs
/// on `[c, h, w]`. Without the dropped axis, all 15 kept it.
#[test]
fn depthwise_convolutions_lose_the_batch_axis_as_in_tracts_plan() {
    let bytes = &include_bytes!("../../www/models/face-landmarks.onnx")[..];
    let (typed, _) = typed_onnx_as_loaded(bytes);
    let inputs = |model: &TypedModel, op: &str| -> Vec<String> {
        model
            .nodes()
            .iter()
            .filter(|n| n.op.name() == op)
            .map(|n| format!("{:?}", model.outlet_fact(n.inputs[0]).unwrap().shape))
            .collect()
    };
    let tract = typed.clone().into_optimized().unwrap();
    let ours = optimize(typed).unwrap();
    let depthwise = inputs(ours.model(), "DepthWiseConv");
    assert_eq!(depthwise.len(), 15);
    assert_eq!(depthwise, inputs(&tract, "DepthWiseConv"));
    assert_eq!(depthwise.iter().filter(|s| !s.starts_with("1,")).count(), 8);
    let direct = inputs(ours.model(), "DirectConv");
    assert!(!direct.is_empty());
    assert!(
        direct.iter().all(|s| s.split(',').count() == 3),
        "{direct:?}"
    );
}

/// tract's Fourier transform (ONNX `DFT`) runs on the rustfft stand-in the crate patches in
/// (patches/rustfft: radix-2 for powers of two, the direct sum otherwise) and equals a plain DFT
/// in f64, forward and inverse, for lengths 1 to 17, 32, 100 and 256.
#[test]
fn tracts_fourier_transform_equals_the_direct_sum() {
    let lengths: Vec<usize> = (1..=17).chain([32, 100, 256]).collect();
    let largest = crate::common::check_fft(&lengths);
    println!("largest |tract's Fft - direct sum| / (1 + Σ|x|): {largest:e}");
}

/// The graphs the crate builds, and the face models its converters write with them, keep float
/// weights in `raw_data`, which decodes as one copy; `float_data` is decoded value by value
/// (10 % of the face encoder's native load).
#[test]
fn built_graphs_and_converted_models_keep_their_weights_raw() {
    use cnn_playground::graph::{encode, GraphBuilder};
    use prost::Message;
    use tract_onnx::pb;
    let mut g = GraphBuilder::new("raw", &[1, 2, 4, 4]);
    let x = g.input();
    let y = g.conv(
        &x,
        (&[3, 2, 3, 3], &[0.25; 54]),
        Some(&[1.0, 2.0, 3.0]),
        &[1; 4],
        &[1, 1],
        1,
    );
    let built = encode(&g.finish(&y));
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/www/models");
    for (what, bytes) in [
        ("a built conv".to_string(), built),
        (
            "face-detector".into(),
            std::fs::read(format!("{dir}/face-detector.onnx")).unwrap(),
        ),
        (
            "face-encoder".into(),
            std::fs::read(format!("{dir}/face-encoder.onnx")).unwrap(),
        ),
        (
            "face-landmarks".into(),
            std::fs::read(format!("{dir}/face-landmarks.onnx")).unwrap(),
        ),
    ] {
        let graph = pb::ModelProto::decode(&bytes[..]).unwrap().graph.unwrap();
        for t in graph.initializer.iter().filter(|t| t.data_type == 1) {
            let values: usize = t.dims.iter().product::<i64>() as usize;
            assert!(
                t.float_data.is_empty() && t.raw_data.len() == 4 * values,
                "{what}: {:?} holds {} float_data values and {} raw bytes",
                t.name,
                t.float_data.len(),
                t.raw_data.len()
            );
        }
    }
}

/// The engine's 4×8 matrix-product kernel (`engine::gemm`) is built for wasm only: natively every
/// choice leaves tract's kernels in the plan.
/// (The kernel itself is tested in the browser: `tests/web/differential.rs`.)
#[test]
fn the_wasm_matrix_kernel_stays_out_of_native_plans() {
    use cnn_playground::engine::{gemm, Model};
    let lenet = include_bytes!("../../www/models/lenet5-digits.onnx");
    for choice in [gemm::Choice::Rows4, gemm::Choice::Tract, gemm::Choice::Auto] {
        gemm::set_choice(choice);
        assert_eq!(gemm::choice(), choice);
        assert!(!gemm::uses_own_kernel());
        let kernels = Model::load(lenet).unwrap().mat_mul_kernels();
        assert!(!kernels.is_empty());
        assert!(
            !kernels.iter().any(|k| k == gemm::KERNEL_NAME),
            "{kernels:?}"
        );
    }
}

/// The engine's SiLU (`engine::silu`, its scalar path here) equals tract's own op, and the engine's
/// optimiser puts it in place of tract's (`common::check_silu`).
#[test]
fn the_engines_silu_equals_tracts_and_replaces_it() {
    let largest = crate::common::check_silu();
    println!("largest |tract - engine| SiLU: {largest:e}");
}

/// The engine's optimiser driver (`engine::optim`) gives tract's own plans node for node, with
/// tract's full declutter and the engine's lean one (`common::check_optimiser`), for the bundled
/// models.
#[test]
fn the_engines_optimiser_gives_tracts_plans_node_for_node() {
    crate::common::check_optimiser(&bundled_models!(
        "lenet5-digits",
        "digit-embedding",
        "shapes-detector",
        "face-detector",
        "face-landmarks",
        "face-encoder",
    ));
}

/// Applying a patch compares no op with the model's ops (`common::check_patch_comparisons`).
#[test]
fn applying_a_patch_compares_no_ops() {
    crate::common::check_patch_comparisons();
}
