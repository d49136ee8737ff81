//! Geometry tables: the one formula `floor((n + 2p - f) / s) + 1`, checked against sizes worked out
//! by hand (course lectures 04, 05, 08, 10) and against non-square and non-tiling cases.

use cnn_playground::geometry::*;

#[test]
fn output_size_table() {
    // (n, f, p, s, expected) — each row worked out by hand.
    let table = [
        (6, 3, 0, 1, 4),     // lecture 02: 6x6 * 3x3 → 4x4
        (6, 3, 1, 1, 6),     // lecture 04: same padding
        (7, 3, 0, 2, 3),     // lecture 05: 7x7, f=3, s=2 → 3x3
        (39, 3, 0, 1, 37),   // lecture 08, layer 1
        (37, 5, 0, 2, 17),   // lecture 08, layer 2
        (17, 5, 0, 2, 7),    // lecture 08, layer 3
        (32, 5, 0, 1, 28),   // lecture 10, CONV1
        (28, 2, 0, 2, 14),   // lecture 10, POOL1
        (14, 5, 0, 1, 10),   // lecture 10, CONV2
        (10, 2, 0, 2, 5),    // lecture 10, POOL2
        (4, 2, 0, 2, 2),     // lecture 09, max pooling
        (8, 3, 0, 2, 3),     // stride that does not tile: floor(5/2) + 1
        (5, 5, 0, 3, 1),     // kernel as large as the input
        (2, 5, 2, 1, 2),     // kernel larger than the input but not the padded input
        (227, 11, 0, 4, 55), // AlexNet CONV1
    ];
    for (n, f, p, s, expected) in table {
        assert_eq!(
            output_size_symmetric(n, f, p, s).unwrap(),
            expected,
            "n={n} f={f} p={p} s={s}"
        );
    }
}

#[test]
fn formula_text_has_the_live_numbers() {
    assert_eq!(
        output_size_formula(7, 3, 0, 2).unwrap(),
        "⌊(7 + 2·0 − 3) / 2⌋ + 1 = ⌊4 / 2⌋ + 1 = 3"
    );
}

#[test]
fn rectangular_inputs_and_kernels() {
    let g = Geometry::new(&[5, 9], &[3, 1], &Padding::Valid, &[1, 2]).unwrap();
    assert_eq!(g.output_shape(), vec![3, 5]);
    let g = Geometry::new(
        &[4, 7],
        &[2, 3],
        &Padding::PerAxis(vec![
            AxisPad {
                before: 1,
                after: 0,
            },
            AxisPad {
                before: 0,
                after: 2,
            },
        ]),
        &[1, 3],
    )
    .unwrap();
    // rows: (4 + 1 - 2)/1 + 1 = 4; cols: (7 + 2 - 3)/3 + 1 = 3
    assert_eq!(g.output_shape(), vec![4, 3]);
}

#[test]
fn same_padding_for_strides_and_even_kernels() {
    // out = ceil(n / s); total = (out - 1)s + f - n, smaller half before.
    assert_eq!(
        same_padding(6, 3, 1).unwrap(),
        AxisPad {
            before: 1,
            after: 1
        }
    );
    assert_eq!(
        same_padding(6, 4, 1).unwrap(),
        AxisPad {
            before: 1,
            after: 2
        }
    );
    assert_eq!(
        same_padding(7, 3, 2).unwrap(),
        AxisPad {
            before: 1,
            after: 1
        }
    );
    assert_eq!(
        same_padding(8, 3, 2).unwrap(),
        AxisPad {
            before: 0,
            after: 1
        }
    );
    for (n, f, s) in [
        (6, 3, 1),
        (6, 4, 1),
        (7, 3, 2),
        (8, 3, 2),
        (9, 5, 3),
        (1, 3, 1),
    ] {
        let g = Geometry::new(&[n], &[f], &Padding::Same, &[s]).unwrap();
        assert_eq!(g.output_shape(), vec![n.div_ceil(s)], "n={n} f={f} s={s}");
    }
}

#[test]
fn receptive_fields_reach_into_the_padding() {
    let g = Geometry::new(&[6, 6], &[3, 3], &Padding::Uniform(1), &[2, 2]).unwrap();
    assert_eq!(g.output_shape(), vec![3, 3]);
    assert_eq!(g.receptive_field(&[0, 0]).unwrap(), vec![-1..2, -1..2]);
    assert_eq!(g.receptive_field(&[2, 1]).unwrap(), vec![3..6, 1..4]);
    let err = g.receptive_field(&[3, 0]).unwrap_err().to_string();
    assert_eq!(err, "output position [3, 0] is outside the [3, 3] output");
}

#[test]
fn uncovered_rows_when_the_stride_does_not_tile() {
    let a = AxisGeometry::new(8, 3, AxisPad::default(), 2).unwrap();
    assert_eq!(a.window(2), 4..7);
    assert_eq!(a.uncovered(), 1); // input row 7 is never read
    let a = AxisGeometry::new(7, 3, AxisPad::default(), 2).unwrap();
    assert_eq!(a.uncovered(), 0);
}

/// ONNX's two "same" modes differ only in where the odd padding goes: SAME_UPPER (TensorFlow's
/// SAME) puts the larger half after, SAME_LOWER before; both keep `ceil(n / s)`.
#[test]
fn same_lower_puts_the_odd_padding_before() {
    // n = 6, f = 4, s = 1: total padding 3.
    let upper = Padding::Same.resolve(0, 1, 6, 4, 1).unwrap();
    let lower = Padding::SameLower.resolve(0, 1, 6, 4, 1).unwrap();
    assert_eq!((upper.before, upper.after), (1, 2));
    assert_eq!((lower.before, lower.after), (2, 1));
    let g = Geometry::new(&[6, 7], &[4, 3], &Padding::SameLower, &[1, 2]).unwrap();
    assert_eq!(g.output_shape(), vec![6, 4]);
}

/// A dilated kernel spans `d·(f − 1) + 1` inputs (lecture-style "atrous" windows).
#[test]
fn dilation_widens_the_kernel() {
    assert_eq!(dilated_kernel(3, 1).unwrap(), 3);
    assert_eq!(dilated_kernel(3, 2).unwrap(), 5);
    assert_eq!(dilated_kernel(1, 9).unwrap(), 1);
    assert_eq!(
        dilated_kernel(3, 0).unwrap_err().to_string(),
        "dilation must be at least 1, got 0"
    );
    assert_eq!(
        dilated_kernel(3, usize::MAX).unwrap_err().to_string(),
        format!(
            "a kernel of 3 with dilation {} spans more than 4096 inputs",
            usize::MAX
        )
    );
}
