//! The engine's own choices about tract (`cnn_playground::engine`): the declutter passes it runs.

use cnn_playground::engine::{is_change_axes, lean_declutter, Model};
use tract_onnx::prelude::*;
use tract_onnx::tract_core::optim::Optimizer;

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

/// The bundled models optimised the engine's way (without `ChangeAxes`) give exactly the outputs
/// of tract's own `into_optimized` on the same input (the measurement in `core::engine::
/// lean_declutter`'s comment covers the rest of the bundled and torchvision models).
#[test]
fn the_lean_declutter_gives_tracts_outputs() {
    for (file, bytes) in [
        (
            "lenet5-digits",
            &include_bytes!("../../www/models/lenet5-digits.onnx")[..],
        ),
        (
            "shapes-detector",
            &include_bytes!("../../www/models/shapes-detector.onnx")[..],
        ),
        (
            "face-detector",
            &include_bytes!("../../www/models/face-detector.onnx")[..],
        ),
        (
            "face-landmarks",
            &include_bytes!("../../www/models/face-landmarks.onnx")[..],
        ),
    ] {
        let ours = Model::load(bytes).unwrap();
        let shape = ours.input_shape().to_vec();
        let n: usize = shape.iter().product();
        let input: Vec<f32> = (0..n).map(|i| ((i * 7919) % 255) as f32 / 255.0).collect();
        let mut theirs = tract_onnx::onnx().model_for_read(&mut &bytes[..]).unwrap();
        theirs.set_input_fact(0, f32::fact(&shape).into()).unwrap();
        let plan = theirs
            .into_typed()
            .unwrap()
            .into_optimized()
            .unwrap()
            .into_runnable()
            .unwrap();
        let out = plan
            .run(tvec!(Tensor::from_shape(&shape, &input)
                .unwrap()
                .into_tvalue()))
            .unwrap();
        let expected: Vec<f32> = out[0]
            .to_plain_array_view::<f32>()
            .unwrap()
            .iter()
            .copied()
            .collect();
        assert_eq!(ours.run(&input).unwrap().data, expected, "{file}");
    }
}
