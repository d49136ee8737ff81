//! The course's worked examples (../shared/course-notes.md, lectures 02-09), exact, through both
//! tract and the plain-Rust reference.

use crate::common::*;
use cnn_playground::engine::Engine;
use cnn_playground::filters;
use cnn_playground::geometry::Padding;
use cnn_playground::ops::{Pool, PoolMode};
use cnn_playground::reference;

fn vertical() -> &'static [f32] {
    filters::by_name("vertical").unwrap().weights
}

#[test]
fn lecture_02_vertical_edge_example_is_exact() {
    let mut engine = Engine::new();
    let conv = conv_1x1ch!(&COURSE_IMAGE, [6, 6], vertical(), 3, &Padding::Valid, 1);
    let (tract, reference) = both(&mut engine, &conv);
    assert_eq!(reference.shape, vec![1, 4, 4]);
    assert_eq!(reference.data, COURSE_OUTPUT);
    assert_eq!(tract.shape, vec![1, 4, 4]);
    assert_eq!(tract.data, COURSE_OUTPUT);
}

#[test]
fn lecture_02_first_cells_explained_as_in_the_notes() {
    let conv = conv_1x1ch!(&COURSE_IMAGE, [6, 6], vertical(), 3, &Padding::Valid, 1);
    // O_11 = 3·1 + 1·1 + 2·1 + 0·0 + 5·0 + 7·0 + 1·(-1) + 8·(-1) + 2·(-1) = -5
    let t = reference::conv_trace(&conv, &[0, 0]).unwrap();
    assert_eq!(t.window.axes, [0..3, 0..3]);
    let products: Vec<f32> = t.filters[0].terms.iter().map(|t| t.product).collect();
    assert_eq!(products, [3., 0., -1., 1., 0., -8., 2., 0., -2.]);
    assert_eq!(t.filters[0].sum, -5.0);
    // O_12: shifted one to the right, -4.
    let t = reference::conv_trace(&conv, &[0, 1]).unwrap();
    assert_eq!(t.window.axes[1], 1..4);
    assert_eq!(t.filters[0].sum, -4.0);
}

#[test]
fn every_traced_sum_equals_the_convolution_output() {
    let conv = conv_1x1ch!(
        &COURSE_IMAGE,
        [6, 6],
        vertical(),
        3,
        &Padding::Uniform(1),
        2,
    );
    let out = reference::conv(&conv).unwrap();
    let (oh, ow) = (out.shape[1], out.shape[2]);
    for y in 0..oh {
        for x in 0..ow {
            let t = reference::conv_trace(&conv, &[y, x]).unwrap();
            assert_eq!(t.filters[0].output, out.data[y * ow + x], "cell ({y}, {x})");
        }
    }
}

#[test]
fn lectures_02_03_half_bright_image_gives_a_thick_edge() {
    let mut engine = Engine::new();
    let bright_left = halves(10.0, 0.0);
    let conv = conv_1x1ch!(&bright_left, [6, 6], vertical(), 3, &Padding::Valid, 1);
    let (tract, reference) = both(&mut engine, &conv);
    let row = [0., 30., 30., 0.];
    assert_eq!(reference.data, row.repeat(4));
    assert_eq!(tract.data, row.repeat(4));

    let bright_right = halves(0.0, 10.0);
    let conv = conv_1x1ch!(&bright_right, [6, 6], vertical(), 3, &Padding::Valid, 1);
    let (tract, reference) = both(&mut engine, &conv);
    let row = [0., -30., -30., 0.];
    assert_eq!(reference.data, row.repeat(4));
    assert_eq!(tract.data, row.repeat(4));
}

#[test]
fn lecture_04_same_padding_keeps_6x6() {
    let mut engine = Engine::new();
    let conv = conv_1x1ch!(&COURSE_IMAGE, [6, 6], vertical(), 3, &Padding::Same, 1);
    let (tract, reference) = both(&mut engine, &conv);
    assert_eq!(tract.shape, vec![1, 6, 6]);
    assert_eq!(tract.data, reference.data);
    // Top-left cell: window rows -1..2, cols -1..2. The +1 column reads the zero padding, the -1
    // column reads image column 1 at rows 0 and 1 (0 and 5): -(0 + 5) = -5.
    assert_eq!(reference.data[0], -5.0);
}

#[test]
fn lecture_05_stride_7x7_f3_s2_gives_3x3() {
    let mut engine = Engine::new();
    let image: Vec<f32> = (0..49).map(|i| ((i * 7) % 11) as f32).collect();
    let kernel = [3., 4., 4., 1., 0., 2., -1., 0., 3.];
    let conv = conv_1x1ch!(&image, [7, 7], &kernel, 3, &Padding::Valid, 2);
    let (tract, reference) = both(&mut engine, &conv);
    assert_eq!(reference.shape, vec![1, 3, 3]);
    assert_eq!(tract.data, reference.data);
}

#[test]
fn lecture_06_volume_one_filter_and_two_filters() {
    let mut engine = Engine::new();
    let rgb: Vec<f32> = (0..108).map(|i| ((i * 5) % 13) as f32 - 6.0).collect();
    // One filter: the vertical edge in every channel → 4x4x1.
    let w1 = filters::to_all_channels(vertical(), 3);
    let conv = cnn_playground::ops::Conv {
        input: &rgb,
        input_shape: &[3, 6, 6],
        weight: &w1,
        weight_shape: &[1, 3, 3, 3],
        bias: None,
        padding: &Padding::Valid,
        stride: &[1, 1],
        relu: false,
    };
    let (tract, reference) = both(&mut engine, &conv);
    assert_eq!(tract.shape, vec![1, 4, 4]);
    assert_eq!(tract.data, reference.data);
    // Two filters (vertical, horizontal) stacked → 4x4x2, with bias and ReLU (lecture 07).
    let mut w2 = w1.clone();
    w2.extend(filters::to_all_channels(
        filters::by_name("horizontal").unwrap().weights,
        3,
    ));
    let conv = cnn_playground::ops::Conv {
        weight: &w2,
        weight_shape: &[2, 3, 3, 3],
        bias: Some(&[1.0, -2.0]),
        relu: true,
        ..conv
    };
    let (tract, reference) = both(&mut engine, &conv);
    assert_eq!(tract.shape, vec![2, 4, 4]);
    assert_eq!(tract.data, reference.data);
    assert!(reference.data.iter().all(|&v| v >= 0.0));
}

#[test]
fn lecture_09_max_pooling_example() {
    let mut engine = Engine::new();
    let input = [
        1., 3., 2., 1., 2., 9., 1., 1., 1., 3., 2., 3., 5., 6., 1., 2.,
    ];
    let pool = Pool {
        input: &input,
        input_shape: &[1, 4, 4],
        mode: PoolMode::Max,
        size: &[2, 2],
        padding: &Padding::Valid,
        stride: &[2, 2],
    };
    let tract = engine.pool(&pool).unwrap();
    let reference = reference::pool(&pool).unwrap();
    assert_eq!(reference.data, [9., 2., 6., 3.]);
    assert_eq!(tract.data, [9., 2., 6., 3.]);
    let t = reference::pool_trace(&pool, 0, &[0, 0]).unwrap();
    assert_eq!(t.argmax, Some(vec![1, 1]));

    let pool = Pool {
        mode: PoolMode::Average,
        ..pool
    };
    let tract = engine.pool(&pool).unwrap();
    assert_eq!(
        reference::pool(&pool).unwrap().data,
        [3.75, 1.25, 3.75, 2.0]
    );
    assert_eq!(tract.data, [3.75, 1.25, 3.75, 2.0]);
}

#[test]
fn pad_graph_adds_zero_borders() {
    use cnn_playground::geometry::AxisPad;
    let mut engine = Engine::new();
    let out = engine
        .pad2d(
            &[1., 2., 3., 4.],
            [1, 2, 2],
            [
                AxisPad {
                    before: 1,
                    after: 0,
                },
                AxisPad::symmetric(1),
            ],
        )
        .unwrap();
    assert_eq!(out.shape, vec![1, 3, 4]);
    assert_eq!(out.data, [0., 0., 0., 0., 0., 1., 2., 0., 0., 3., 4., 0.]);
}

#[test]
fn plans_are_cached_while_shapes_and_weights_stay() {
    let mut engine = Engine::new();
    let conv = conv_1x1ch!(&COURSE_IMAGE, [6, 6], vertical(), 3, &Padding::Valid, 1);
    engine.conv(&conv).unwrap();
    let other_pixels = halves(10.0, 0.0);
    let conv2 = conv_1x1ch!(&other_pixels, [6, 6], vertical(), 3, &Padding::Valid, 1);
    engine.conv(&conv2).unwrap();
    assert_eq!(engine.cached_plans(), 1, "new pixels must reuse the plan");
    let sobel = filters::by_name("sobel-x").unwrap().weights;
    engine
        .conv(&conv_1x1ch!(
            &COURSE_IMAGE,
            [6, 6],
            sobel,
            3,
            &Padding::Valid,
            1,
        ))
        .unwrap();
    assert_eq!(engine.cached_plans(), 2, "new weights need a new plan");
}

#[test]
fn diagonal_filters_respond_most_to_their_own_diagonal() {
    // "/" edge: bright above-left of the anti-diagonal, dark below-right.
    let slash: Vec<f32> = (0..64)
        .map(|i| if i / 8 + i % 8 < 7 { 10.0 } else { 0.0 })
        .collect();
    // "\" edge: bright above-right of the diagonal.
    let backslash: Vec<f32> = (0..64)
        .map(|i| if i % 8 > i / 8 { 10.0 } else { 0.0 })
        .collect();
    let peak = |image: &[f32], name: &str| {
        let k = filters::by_name(name).unwrap().weights;
        let out = reference::conv(&conv_1x1ch!(image, [8, 8], k, 3, &Padding::Valid, 1)).unwrap();
        out.data.iter().copied().fold(f32::MIN, f32::max)
    };
    assert!(peak(&slash, "diagonal-45") > peak(&slash, "diagonal-135"));
    assert!(peak(&backslash, "diagonal-135") > peak(&backslash, "diagonal-45"));
    assert!(peak(&slash, "diagonal-45") > 0.0 && peak(&backslash, "diagonal-135") > 0.0);
}
