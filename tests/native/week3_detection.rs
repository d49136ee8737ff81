//! Week 3 in the core: the course's IoU cases, non-max suppression (clusters, classes, NaN, empty
//! input, both threshold boundaries, agreement with onnxruntime on random box sets), the
//! localisation target and loss, YOLO targets with anchors and their conflicts, and decoding.

use cnn_playground::detect::*;

fn bx(x1: f32, y1: f32, x2: f32, y2: f32) -> BBox {
    BBox::new(x1, y1, x2, y2).unwrap()
}

#[test]
fn lecture_28_iou_cases() {
    // Two 2x2 boxes overlapping in a 1x1 square: 1 / (4 + 4 - 1) = 1/7.
    let p = iou_parts(&bx(2., 1., 4., 3.), &bx(1., 2., 3., 4.));
    assert_eq!((p.intersection, p.union), (1.0, 7.0));
    assert_eq!(p.iou, 1.0 / 7.0);
    // Disjoint, touching at a corner, touching along an edge: 0.
    assert_eq!(iou(&bx(0., 0., 1., 1.), &bx(2., 2., 3., 3.)), 0.0);
    assert_eq!(iou(&bx(0., 0., 1., 1.), &bx(1., 1., 2., 2.)), 0.0);
    assert_eq!(iou(&bx(0., 0., 1., 1.), &bx(1., 0., 2., 1.)), 0.0);
    // Identical boxes: 1; a box inside another: area ratio; symmetric.
    assert_eq!(iou(&bx(0., 0., 2., 2.), &bx(0., 0., 2., 2.)), 1.0);
    assert_eq!(iou(&bx(0., 0., 4., 4.), &bx(1., 1., 3., 3.)), 0.25);
    assert_eq!(iou(&bx(1., 1., 3., 3.), &bx(0., 0., 4., 4.)), 0.25);
    // Zero-area boxes: the union is 0 and the IoU 0, not NaN.
    assert_eq!(iou(&bx(1., 1., 1., 1.), &bx(1., 1., 1., 1.)), 0.0);
    // "Correct if IoU ≥ 0.5": two 3x1 boxes sharing 2 of their 3 units, 2 / (3 + 3 - 2) = 0.5.
    let half = iou(&bx(0., 0., 3., 1.), &bx(1., 0., 4., 1.));
    assert_eq!(half, 0.5);
}

#[test]
fn nms_keeps_the_highest_score_of_each_cluster() {
    // Two clusters of three boxes each, and one lonely low-scoring box.
    let boxes = [
        bx(0., 0., 10., 10.),
        bx(1., 1., 11., 11.),
        bx(0., 1., 10., 11.),
        bx(50., 50., 60., 60.),
        bx(51., 50., 61., 60.),
        bx(50., 51., 60., 61.),
        bx(100., 0., 110., 10.),
    ];
    let scores = [0.7, 0.9, 0.8, 0.95, 0.6, 0.85, 0.65];
    let trace = nms_trace(&boxes, &scores, None, 0.6, 0.5).unwrap();
    assert_eq!(trace.kept(), [3, 1, 6]);
    assert_eq!(trace.below_threshold, [4]); // 0.6 is not above 0.6
    let suppressed: Vec<usize> = trace.steps[0].suppressed.iter().map(|s| s.0).collect();
    assert_eq!(suppressed, [5]);
    let suppressed: Vec<usize> = trace.steps[1].suppressed.iter().map(|s| s.0).collect();
    assert_eq!(suppressed, [2, 0]);
    assert!(trace.steps[2].suppressed.is_empty());
}

#[test]
fn nms_is_per_class_when_classes_are_given() {
    let boxes = [
        bx(0., 0., 10., 10.),
        bx(0., 0., 10., 10.),
        bx(1., 0., 11., 10.),
    ];
    let scores = [0.9, 0.8, 0.7];
    assert_eq!(non_max_suppression(&boxes, &scores, 0.0, 0.5).unwrap(), [0]);
    let kept = non_max_suppression_per_class(&boxes, &scores, &[0, 1, 0], 0.0, 0.5).unwrap();
    assert_eq!(kept, [0, 1]);
    let kept = non_max_suppression_per_class(&boxes, &scores, &[0, 1, 2], 0.0, 0.5).unwrap();
    assert_eq!(kept, [0, 1, 2]);
}

#[test]
fn nms_boundaries_nan_scores_ties_and_empty_input() {
    // IoU exactly at the threshold suppresses (≥): two 3x1 boxes with IoU 0.5.
    let boxes = [bx(0., 0., 3., 1.), bx(1., 0., 4., 1.)];
    assert_eq!(
        non_max_suppression(&boxes, &[0.9, 0.8], 0.0, 0.5).unwrap(),
        [0]
    );
    assert_eq!(
        non_max_suppression(&boxes, &[0.9, 0.8], 0.0, 0.51).unwrap(),
        [0, 1]
    );
    // A score exactly at the threshold is removed (> only), NaN is never kept.
    assert_eq!(
        non_max_suppression(&boxes, &[0.6, f32::NAN], 0.6, 0.5).unwrap(),
        Vec::<usize>::new()
    );
    let far = [bx(0., 0., 1., 1.), bx(5., 5., 6., 6.), bx(9., 9., 10., 10.)];
    assert_eq!(
        non_max_suppression(&far, &[f32::NAN, 0.7, 0.8], f32::NEG_INFINITY, 0.5).unwrap(),
        [2, 1]
    );
    // Equal scores keep input order.
    assert_eq!(
        non_max_suppression(&far, &[0.5, 0.5, 0.5], 0.0, 0.5).unwrap(),
        [0, 1, 2]
    );
    assert!(non_max_suppression(&[], &[], 0.5, 0.5).unwrap().is_empty());
    // Mismatched lengths and thresholds outside [0, 1] are errors that name the numbers.
    let err = non_max_suppression(&far, &[0.5], 0.0, 0.5).unwrap_err();
    assert_eq!(err.to_string(), "3 boxes but 1 scores");
    let err = non_max_suppression(&far, &[0.5; 3], 0.0, 1.5).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the IoU threshold must be between 0 and 1, got 1.5"
    );
}

/// The cases of `tests/fixtures/nms_onnxruntime.txt`, made by `data/nms/make_fixtures.py`
/// (onnxruntime's NonMaxSuppression on random boxes, seed 7).
struct NmsCase {
    boxes: Vec<BBox>,
    scores: Vec<f32>,
    classes: Vec<u32>,
    score_threshold: f32,
    iou_threshold: f32,
    kept: Vec<usize>,
}

fn nms_fixtures() -> Vec<NmsCase> {
    let text = include_str!("../fixtures/nms_onnxruntime.txt");
    let mut cases = Vec::new();
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty());
    let nums = |line: &str, key: &str| -> Vec<f64> {
        let rest = line
            .strip_prefix(key)
            .unwrap_or_else(|| panic!("expected {key}"));
        rest.split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect()
    };
    while let Some(header) = lines.next() {
        assert_eq!(header, "case");
        let b = nums(lines.next().unwrap(), "boxes");
        let scores = nums(lines.next().unwrap(), "scores");
        let classes = nums(lines.next().unwrap(), "classes");
        let t = nums(lines.next().unwrap(), "thresholds");
        let kept = nums(lines.next().unwrap(), "kept");
        cases.push(NmsCase {
            boxes: b
                .chunks(4)
                .map(|c| bx(c[0] as f32, c[1] as f32, c[2] as f32, c[3] as f32))
                .collect(),
            scores: scores.iter().map(|&v| v as f32).collect(),
            classes: classes.iter().map(|&v| v as u32).collect(),
            score_threshold: t[0] as f32,
            iou_threshold: t[1] as f32,
            kept: kept.iter().map(|&v| v as usize).collect(),
        });
    }
    cases
}

#[test]
fn nms_agrees_with_onnxruntime_on_random_box_sets() {
    let cases = nms_fixtures();
    assert!(cases.len() >= 50, "only {} fixture cases", cases.len());
    let mut boxes_seen = 0;
    for (i, case) in cases.iter().enumerate() {
        let ours = non_max_suppression_per_class(
            &case.boxes,
            &case.scores,
            &case.classes,
            case.score_threshold,
            case.iou_threshold,
        )
        .unwrap();
        // onnxruntime lists the kept boxes class by class, each class by descending score; ours
        // are all in descending score order. Compare the same grouping.
        let mut grouped = ours.clone();
        grouped.sort_by_key(|&k| case.classes[k]);
        assert_eq!(grouped, case.kept, "case {i}");
        boxes_seen += case.boxes.len();
    }
    assert!(boxes_seen > 1000);
}

#[test]
fn lecture_23_localisation_target_and_loss() {
    let car = Object {
        bbox: bx(0.3, 0.6, 0.7, 0.9),
        class: 1,
    };
    let y = localization_target(Some(&car), 3).unwrap();
    let expect = [1.0, 0.5, 0.75, 0.3, 0.4, 0.0, 1.0, 0.0];
    for (got, want) in y.iter().zip(expect) {
        assert!((got.unwrap() - want).abs() < 1e-6, "{y:?}");
    }
    let prediction = [0.9, 0.5, 0.7, 0.3, 0.4, 0.1, 0.8, 0.1];
    let loss = localization_loss(&prediction, &y).unwrap();
    let want = 0.01 + 0.0025 + 0.01 + 0.04 + 0.01;
    assert!((loss - want).abs() < 1e-6, "{loss}");
    // No object: p_c = 0 and the rest don't care; only (ŷ_1 - 0)² counts.
    let background = localization_target(None, 3).unwrap();
    assert_eq!(background[0], Some(0.0));
    assert!(background[1..].iter().all(Option::is_none));
    assert_eq!(
        localization_loss(&prediction, &background).unwrap(),
        0.9f32 * 0.9
    );
}

fn spec(grid: usize, anchors: Vec<(f32, f32)>) -> GridSpec {
    GridSpec {
        grid,
        anchors,
        classes: 3,
    }
}

#[test]
fn lecture_27_3x3_grid_target_is_3x3x8() {
    // A car whose centre (0.5, 0.7) falls in the middle column, bottom row.
    let car = Object {
        bbox: bx(0.35, 0.55, 0.65, 0.85),
        class: 1,
    };
    let t = yolo_target(&spec(3, vec![(1.0, 1.0)]), &[car]).unwrap();
    assert_eq!(t.shape, [3, 3, 1, 8]);
    let a = &t.assignments[0];
    assert_eq!((a.row, a.col, a.anchor), (2, 1, 0));
    // b_x, b_y within the cell; b_h, b_w in cell units (0.3 of the image = 0.9 cells).
    let expect = [1.0, 0.5, 0.1, 0.9, 0.9, 0.0, 1.0, 0.0];
    for (got, want) in a.values.iter().zip(expect) {
        assert!((got - want).abs() < 1e-5, "{:?}", a.values);
    }
    let cell = &t.data[(2 * 3 + 1) * 8..][..8];
    assert_eq!(cell, &a.values[..]);
    assert_eq!(t.data.iter().filter(|&&v| v == 1.0).count(), 2); // p_c and c_2
    assert!(t.conflicts.is_empty());
}

#[test]
fn lecture_30_anchor_boxes_and_the_cases_yolo_cannot_handle() {
    // Anchor 1 tall (a pedestrian), anchor 2 wide (a car), in cell units of a 3x3 grid.
    let s = spec(3, vec![(0.5, 1.5), (1.5, 0.5)]);
    let pedestrian = Object {
        bbox: BBox::from_centre(0.5, 0.5, 0.15, 0.45),
        class: 0,
    };
    let car = Object {
        bbox: BBox::from_centre(0.52, 0.52, 0.45, 0.15),
        class: 1,
    };
    let t = yolo_target(&s, &[pedestrian, car]).unwrap();
    assert_eq!(t.shape, [3, 3, 2, 8]); // 3x3x16
    assert_eq!((t.assignments[0].anchor, t.assignments[1].anchor), (0, 1));
    assert!(t
        .assignments
        .iter()
        .all(|a| a.stored && (a.row, a.col) == (1, 1)));
    assert!(t.conflicts.is_empty());
    // Two cars in one cell share the wide anchor: only the first is stored.
    let car2 = Object {
        bbox: BBox::from_centre(0.45, 0.48, 0.4, 0.12),
        class: 1,
    };
    let t = yolo_target(&s, &[car, car2]).unwrap();
    assert!(!t.assignments[1].stored);
    assert_eq!(t.conflicts.len(), 1);
    assert_eq!(
        t.conflicts[0].reason,
        "2 objects in one cell match the same anchor box 2; only object 1 is kept"
    );
    // Three objects, two anchors.
    let t = yolo_target(&s, &[pedestrian, car, car2]).unwrap();
    assert!(t
        .conflicts
        .iter()
        .any(|c| c.reason == "3 objects in one cell but only 2 anchor boxes"));
}

#[test]
fn decode_inverts_the_target_parametrisation() {
    // One anchor, two classes, a 2x2 grid; cell (1, 0) holds t = logit/log values for a box at
    // centre (0.25 + 0.5·σ⁻¹… ) — built from the values we want back.
    let s = GridSpec {
        grid: 2,
        anchors: vec![(1.0, 2.0)],
        classes: 2,
    };
    let logit = |p: f32| (p / (1.0 - p)).ln();
    let mut out = vec![-10.0f32; 7 * 2 * 2]; // objectness σ(-10) ≈ 0 elsewhere
    let set = |out: &mut Vec<f32>, field: usize, v: f32| out[(field * 2 + 1) * 2] = v;
    set(&mut out, 0, logit(0.25)); // x = (0 + 0.25) / 2
    set(&mut out, 1, logit(0.5)); // y = (1 + 0.5) / 2
    set(&mut out, 2, 0.5f32.ln()); // w = 1 · 0.5 / 2
    set(&mut out, 3, 1.0f32.ln()); // h = 2 · 1 / 2
    set(&mut out, 4, logit(0.8)); // p_c
    set(&mut out, 5, 0.0);
    set(&mut out, 6, 3.0f32.ln()); // softmax(0, ln 3) = (0.25, 0.75)
    let d = yolo_decode(&s, &out, &[1, 7, 2, 2]).unwrap();
    assert_eq!(d.len(), 4);
    let hit = d.iter().find(|x| x.cell == (1, 0, 0)).unwrap();
    let (cx, cy) = hit.bbox.centre();
    let close = |a: f32, b: f32| (a - b).abs() < 1e-5;
    assert!(close(cx, 0.125) && close(cy, 0.75), "{hit:?}");
    assert!(close(hit.bbox.width(), 0.25) && close(hit.bbox.height(), 1.0));
    assert_eq!(hit.class, 1);
    assert!(close(hit.class_probability, 0.75) && close(hit.score, 0.6));
    assert!(d
        .iter()
        .filter(|x| x.cell != (1, 0, 0))
        .all(|x| x.score < 1e-4));
    // A model with the wrong layout gets a message naming the shapes.
    let err = yolo_decode(&s, &out, &[1, 2, 2, 7])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "the model's output has shape [1, 2, 2, 7] but a 2x2 grid with 1 anchors and 2 classes needs [7, 2, 2] (1·(5 + 2) channels)"
    );
}

#[test]
fn average_precision_of_hand_made_rankings() {
    let truth = |x: f32, class| Object {
        bbox: bx(x, 0., x + 1., 1.),
        class,
    };
    let truths = vec![
        vec![truth(0., 0), truth(5., 0)],
        vec![truth(0., 0), truth(9., 1)],
    ];
    // Perfect: every object found with the highest scores, one false positive ranked last.
    let perfect = vec![
        vec![(bx(0., 0., 1., 1.), 0.9, 0), (bx(5., 0., 6., 1.), 0.8, 0)],
        vec![
            (bx(0., 0., 1., 1.), 0.7, 0),
            (bx(20., 0., 21., 1.), 0.1, 0),
            (bx(9., 0., 10., 1.), 0.5, 1),
        ],
    ];
    let (map, per_class) = mean_average_precision(&perfect, &truths, 3, 0.5).unwrap();
    assert_eq!(per_class, [Some(1.0), Some(1.0), None]);
    assert_eq!(map, 1.0);
    // A false positive ranked first, a duplicate of a found object, and a box in the wrong image:
    let shaky = vec![
        vec![
            (bx(30., 0., 31., 1.), 0.95, 0),
            (bx(0., 0., 1., 1.), 0.9, 0),
        ],
        vec![
            (bx(0., 0., 1., 1.), 0.8, 0),
            (bx(0.1, 0., 1.1, 1.), 0.75, 0),
            (bx(5., 0., 6., 1.), 0.01, 0),
        ],
    ];
    let ap = average_precision(&shaky, &truths, 0, 0.5).unwrap();
    // (recall, precision) by rank: (0, 0), (1/3, 1/2), (2/3, 2/3), (2/3, 2/4) for the duplicate,
    // (2/3, 2/5) for x = 5, which is in image 0, not 1. Precision made monotone is 2/3 up to
    // recall 2/3: AP = 2/3 · 2/3.
    assert!((ap - 4.0 / 9.0).abs() < 1e-6, "{ap}");
    assert!(mean_average_precision(&shaky, &truths[..1], 3, 0.5).is_err());
}
