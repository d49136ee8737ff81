//! Lecture 39, "what deep ConvNets learn", on LeNet-5: receptive fields and the inputs that excite
//! a channel most.

use cnn_playground::activations::top_activations;
use cnn_playground::engine::Model;

/// Lecture 39 on LeNet-5: receptive fields follow the convs and pools (a pool-2 position sees a
/// 16x16 patch, 4 pixels from its neighbour), and the top activations of a channel over the
/// held-out digits are the largest per-digit maxima of the real graph's feature map, strongest
/// first.
#[test]
fn lenet5_top_activations_are_the_strongest_patches_over_held_out_digits() {
    use cnn_playground::digits::{lenet_input, parse_digit_set};
    use cnn_playground::geometry::ReceptiveField;
    let model = Model::load(include_bytes!("../../www/models/lenet5-digits.onnx")).unwrap();
    let fields: Vec<Option<(usize, usize, isize)>> = model
        .layers()
        .unwrap()
        .iter()
        .map(|l| {
            l.receptive_field.map(|[r, c]| {
                assert_eq!(r, c);
                (r.size, r.jump, r.start)
            })
        })
        .collect();
    assert_eq!(
        fields[..7],
        [
            Some((5, 1, 0)),
            Some((5, 1, 0)),
            Some((6, 2, 0)),
            Some((14, 2, 0)),
            Some((14, 2, 0)),
            Some((16, 4, 0)),
            None
        ]
    );

    let digits = parse_digit_set(include_bytes!("../../www/models/digits-heldout.bin")).unwrap();
    let inputs: Vec<f32> = digits
        .iter()
        .take(60)
        .flat_map(|d| lenet_input(&d.pixels).unwrap())
        .collect();
    let (layer, channel) = (5, 3);
    let top = top_activations(&model, &inputs, layer, channel, 9).unwrap();
    assert_eq!(top.len(), 9);
    // Independently: each input's maximum of the channel, from the probe plan's feature maps.
    let mut maxima: Vec<(f32, usize)> = inputs
        .chunks_exact(1024)
        .enumerate()
        .map(|(i, x)| {
            let maps = model.feature_maps(x).unwrap();
            let pool = &maps.iter().find(|m| m.0 == layer).unwrap().1;
            let plane = &pool.data[channel * 25..(channel + 1) * 25];
            (plane.iter().copied().fold(f32::MIN, f32::max), i)
        })
        .collect();
    maxima.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (t, (value, input)) in top.iter().zip(&maxima) {
        assert_eq!((t.input, t.value), (*input, *value));
        let field = ReceptiveField {
            size: 16,
            jump: 4,
            start: 0,
        };
        assert_eq!(t.window, [field.window(t.at[0]), field.window(t.at[1])]);
    }
    assert!(top[0].value > top[8].value);

    for (bad, message) in [
        ((&inputs[..1000], 5, 0), "not a whole number of inputs"),
        ((&inputs[..], 6, 0), "not a stack of feature maps"),
        (
            (&inputs[..], 5, 16),
            "channel 17 does not exist: layer 6 (/MaxPool_1) has 16 channels, numbered 1 to 16",
        ),
    ] {
        let e = top_activations(&model, bad.0, bad.1, bad.2, 9).unwrap_err();
        assert!(format!("{e:#}").contains(message), "{e:#}");
    }
}
