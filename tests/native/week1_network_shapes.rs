//! The shape calculator against the course's networks (../shared/course-notes.md).

use cnn_playground::network::{dense_params_between, shapes, Layer};
use cnn_playground::ops::PoolMode;

fn outputs(input: [usize; 3], layers: &[Layer]) -> Vec<Vec<usize>> {
    shapes(input, layers)
        .unwrap()
        .into_iter()
        .map(|s| s.output)
        .collect()
}

#[test]
fn lecture_07_ten_3x3x3_filters_have_280_parameters_whatever_the_image() {
    let layer = [Layer::Conv {
        f: 3,
        stride: 1,
        padding: 0,
        filters: 10,
    }];
    for side in [6, 64, 1000] {
        assert_eq!(shapes([3, side, side], &layer).unwrap()[0].params, 280);
    }
}

#[test]
fn lecture_08_network() {
    let layers = [
        Layer::Conv {
            f: 3,
            stride: 1,
            padding: 0,
            filters: 10,
        },
        Layer::Conv {
            f: 5,
            stride: 2,
            padding: 0,
            filters: 20,
        },
        Layer::Conv {
            f: 5,
            stride: 2,
            padding: 0,
            filters: 40,
        },
        Layer::Flatten,
    ];
    assert_eq!(
        outputs([3, 39, 39], &layers),
        vec![
            vec![10, 37, 37],
            vec![20, 17, 17],
            vec![40, 7, 7],
            vec![1960]
        ]
    );
}

#[test]
fn lecture_10_lenet_style_network() {
    let pool = Layer::Pool {
        mode: PoolMode::Max,
        f: 2,
        stride: 2,
    };
    let layers = [
        Layer::Conv {
            f: 5,
            stride: 1,
            padding: 0,
            filters: 6,
        },
        pool.clone(),
        Layer::Conv {
            f: 5,
            stride: 1,
            padding: 0,
            filters: 16,
        },
        pool,
        Layer::Flatten,
        Layer::Dense { units: 120 },
        Layer::Dense { units: 84 },
        Layer::Dense { units: 10 },
    ];
    let steps = shapes([3, 32, 32], &layers).unwrap();
    let outs: Vec<_> = steps.iter().map(|s| s.output.clone()).collect();
    assert_eq!(
        outs,
        vec![
            vec![6, 28, 28],
            vec![6, 14, 14],
            vec![16, 10, 10],
            vec![16, 5, 5],
            vec![400],
            vec![120],
            vec![84],
            vec![10]
        ]
    );
    let params: Vec<_> = steps.iter().map(|s| s.params).collect();
    // (5·5·3+1)·6, 0, (5·5·6+1)·16, 0, 0, (400+1)·120, (120+1)·84, (84+1)·10
    assert_eq!(params, vec![456, 0, 2416, 0, 0, 48120, 10164, 850]);
    assert_eq!(
        cnn_playground::network::total_params(&steps).unwrap(),
        62006
    );
}

#[test]
fn lecture_11_dense_versus_convolution() {
    // 32x32x3 → 28x28x6: about 14 million parameters fully connected, 456 as a 5x5 convolution.
    assert_eq!(
        dense_params_between([3, 32, 32], [6, 28, 28]).unwrap(),
        3073 * 4704
    );
    assert!(
        (14_000_000..15_000_000).contains(&dense_params_between([3, 32, 32], [6, 28, 28]).unwrap())
    );
    let conv = [Layer::Conv {
        f: 5,
        stride: 1,
        padding: 0,
        filters: 6,
    }];
    assert_eq!(shapes([3, 32, 32], &conv).unwrap()[0].params, 456);
}

#[test]
fn errors_name_the_layer_and_the_numbers() {
    let err = shapes([3, 6, 6], &[Layer::Dense { units: 10 }]).unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        "layer 1 (dense, 10 units) on [3, 6, 6]: a dense layer needs a flat activation, got [3, 6, 6]: flatten first"
    );
    let layers = [
        Layer::Conv {
            f: 5,
            stride: 1,
            padding: 0,
            filters: 4,
        },
        Layer::Conv {
            f: 5,
            stride: 1,
            padding: 0,
            filters: 4,
        },
    ];
    let err = shapes([1, 8, 8], &layers).unwrap_err();
    assert!(
        format!("{err:#}").ends_with("on [4, 4, 4]: kernel 5 larger than input 4"),
        "{err:#}"
    );
    assert!(dense_params_between([usize::MAX, 2, 1], [1, 1, 1]).is_err());
}

#[test]
fn lectures_16_17_one_by_one_convolutions_and_the_bottleneck() {
    use cnn_playground::network::{bottleneck_cost, conv_multiplications};
    // 28x28x192 → 28x28x32 with 1x1 filters: 28·28·32·192 multiplications.
    assert_eq!(conv_multiplications(28, 28, 192, 1, 32).unwrap(), 4_816_896);
    let cost = bottleneck_cost(28, 28, 192, 5, 32, 16).unwrap();
    assert_eq!(cost.direct, 120_422_400);
    assert_eq!(
        (cost.reduce, cost.conv, cost.total),
        (2_408_448, 10_035_200, 12_443_648)
    );
    assert!(conv_multiplications(usize::MAX, 2, 1, 1, 1).is_err());
    assert_eq!(
        bottleneck_cost(28, 28, 0, 5, 32, 16)
            .unwrap_err()
            .to_string(),
        "the number of input channels must be at least 1, not 0"
    );
}
