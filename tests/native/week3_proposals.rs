//! Lecture 32: region proposals on generated scenes (`course::proposals`), with the lecture 26
//! classifier (www/models/sliding-windows.onnx at its 14×14 window). The shares below are
//! measured over 100 scenes and printed (`cargo test -- --nocapture`).

use cnn_playground::engine::Model;
use cnn_playground::image::resample_window;
use cnn_playground::proposals::{propose, region, segment, Blob};
use cnn_playground::scenes;

const CLASSIFIER: &[u8] = include_bytes!("../../www/models/sliding-windows.onnx");

#[test]
fn one_region_per_shape_classified_as_that_shape_in_most_scenes() {
    let classifier = Model::load_with_input_shape(CLASSIFIER, Some(&[1, 3, 14, 14])).unwrap();
    let (mut scenes_exact, mut shapes, mut found, mut right) = (0, 0, 0, 0);
    for seed in 0..100 {
        let scene = scenes::generate(seed, 96).unwrap();
        let (segmentation, proposals) = propose(&classifier, &scene.image, [96, 96]).unwrap();
        assert_eq!(segmentation.blobs.len(), proposals.len());
        if proposals.len() == scene.objects.len() {
            scenes_exact += 1;
        }
        for object in &scene.objects {
            shapes += 1;
            // The proposal whose blob overlaps the shape's box most (IoU over 0.5).
            let b = &object.bbox;
            let hit = segmentation
                .blobs
                .iter()
                .zip(&proposals)
                .map(|(blob, p)| {
                    let [x1, y1, x2, y2] = blob.bbox.map(|v| v as f32 / 96.0);
                    let iw = (x2.min(b.x2) - x1.max(b.x1)).max(0.0);
                    let ih = (y2.min(b.y2) - y1.max(b.y1)).max(0.0);
                    let inter = iw * ih;
                    let union = (x2 - x1) * (y2 - y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
                    (inter / union, p)
                })
                .filter(|(iou, _)| *iou > 0.5)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, p)| p);
            if let Some(p) = hit {
                found += 1;
                if p.class == object.class {
                    right += 1;
                }
            }
        }
    }
    println!("region proposals over 100 scenes: {scenes_exact} with one region per shape; {found} of {shapes} shapes found by a blob (IoU > 0.5), {right} of those classified right");
    assert!(
        scenes_exact >= 90,
        "{scenes_exact} scenes with one region per shape"
    );
    assert!(
        found * 100 >= shapes * 95,
        "{found} of {shapes} shapes found"
    );
    assert!(
        right * 100 >= found * 90,
        "{right} of {found} regions classified right"
    );
}

#[test]
fn the_segmentation_reads_the_background_from_the_border_and_drops_specks() {
    // A 20×20 grey image, a 4×4 red square and a 2-pixel red speck.
    let (h, w) = (20, 20);
    let mut image = vec![0.5f32; 3 * h * w];
    let mut paint = |x: usize, y: usize| {
        image[y * w + x] = 1.0;
        image[h * w + y * w + x] = 0.0;
        image[2 * h * w + y * w + x] = 0.0;
    };
    for y in 5..9 {
        for x in 10..14 {
            paint(x, y);
        }
    }
    paint(2, 15);
    paint(3, 15);
    let s = segment(&image, [h, w]).unwrap();
    assert_eq!(s.background, [0.5, 0.5, 0.5]);
    assert_eq!(
        s.blobs,
        vec![Blob {
            bbox: [10, 5, 14, 9],
            pixels: 16
        }]
    );
    assert_eq!(s.labels[6 * w + 11], 1);
    assert_eq!(s.labels[15 * w + 2], 0, "the speck is background");
    // Its region: a square of side 4 / 0.8 = 5 centred on (12, 7).
    assert_eq!(region(&s.blobs[0]), [9.5, 4.5, 14.5, 9.5]);
}

#[test]
fn resampling_a_window_repeats_the_edge_and_keeps_whole_pixels() {
    // One channel 2×2: [[1, 2], [3, 4]]. The window of the whole image at its own size gives it
    // back; a window reaching left of the image repeats column 0.
    let input = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(
        resample_window(&input, [1, 2, 2], [0.0, 0.0, 2.0, 2.0], 2).unwrap(),
        input
    );
    assert_eq!(
        resample_window(&input, [1, 2, 2], [-2.0, 0.0, 0.0, 2.0], 2).unwrap(),
        [1.0, 1.0, 3.0, 3.0]
    );
    assert!(resample_window(&input, [1, 2, 2], [1.0, 0.0, 1.0, 2.0], 2).is_err());
    assert!(resample_window(&input, [1, 2, 2], [0.0, 0.0, f32::NAN, 2.0], 2).is_err());
}
