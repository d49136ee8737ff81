//! Procedurally generated detection scenes (lecture 31's setting): circles, squares and triangles
//! of random sizes and colours on a plain, slightly noisy background, with their exact boxes.
//!
//! The same generator feeds the training script (through `examples/make_scenes.rs`), the mAP test
//! and the page, so the detector is trained and judged on exactly what the learner sees. Scenes are
//! deterministic functions of their seed (SplitMix64, no external randomness).

use anyhow::{ensure, Result};

use crate::core::rng::Rng;
use crate::course::detect::{shape_iou, yolo_target, BBox, GridSpec, Object};

/// The shape classes, in class-index order.
pub const CLASSES: [&str; 3] = ["circle", "square", "triangle"];

/// Side of a generated scene in pixels (the detector's input size).
pub const SCENE_SIZE: usize = 96;

/// The grid of the shapes detector: 6x6 cells of 16 pixels over a 96x96 scene, two anchors (a
/// small and a large shape, in cells; the shapes are 14 to 40 pixels, 0.9 to 2.5 cells) and the
/// three classes — lecture 31's setting. Training targets and decoding both use it.
pub fn detector_spec() -> GridSpec {
    GridSpec {
        grid: 6,
        anchors: vec![(1.2, 1.15), (2.1, 2.0)],
        classes: CLASSES.len(),
    }
}

/// The shape IoU from which a second anchor of an object's cell is also trained to predict it
/// ([`training_target`]).
pub const SECOND_ANCHOR_IOU: f32 = 0.35;

/// The shapes detector's training target: the lecture's YOLO target ([`yolo_target`]: the cell
/// holding the object's centre, the anchor whose shape fits it best), plus every other anchor of
/// that cell whose shape has IoU ≥ [`SECOND_ANCHOR_IOU`] with the object's, when no object holds it.
/// Objects of middle size (about 19 to 32 pixels) are then predicted twice, by boxes that overlap
/// each other, so the detector lab has duplicates for non-max suppression to remove (lecture 29)
/// rather than a detector that happens to fire once per object. `[S, S, A, 5 + C]`, row-major.
pub fn training_target(spec: &GridSpec, objects: &[Object]) -> Result<Vec<f32>> {
    let mut target = yolo_target(spec, objects)?;
    let (a, fields) = (spec.anchors.len(), spec.fields());
    for assigned in target.assignments.iter().filter(|t| t.stored) {
        // values = [p_c, b_x, b_y, b_h, b_w, classes…], sizes in cells.
        let size = (assigned.values[4], assigned.values[3]);
        for (k, &anchor) in spec.anchors.iter().enumerate() {
            let slot = ((assigned.row * spec.grid + assigned.col) * a + k) * fields;
            if k != assigned.anchor
                && target.data[slot] == 0.0
                && shape_iou(size, anchor) >= SECOND_ANCHOR_IOU
            {
                target.data[slot..slot + fields].copy_from_slice(&assigned.values);
            }
        }
    }
    Ok(target.data)
}

/// A generated scene: an RGB image `[3, size, size]` with values `k/255` in `0..1` and its objects (boxes
/// in image fractions, classes from [`CLASSES`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// Side in pixels.
    pub size: usize,
    /// `3 · size · size` values in `0..1`, NCHW.
    pub image: Vec<f32>,
    /// The shapes drawn, in drawing order (later ones may cover earlier ones a little).
    pub objects: Vec<Object>,
}

/// Whether pixel centre `(x, y)` lies inside shape `class` with bounding box `(x1, y1)-(x2, y2)`.
fn inside(class: usize, (x1, y1, x2, y2): (f32, f32, f32, f32), x: f32, y: f32) -> bool {
    if x < x1 || x >= x2 || y < y1 || y >= y2 {
        return false;
    }
    match class {
        0 => {
            let (cx, cy, r) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0, (x2 - x1) / 2.0);
            (x - cx).powi(2) + (y - cy).powi(2) <= r * r
        }
        1 => true,
        _ => {
            // Apex at the top centre, base along the bottom edge.
            let t = (y - y1) / (y2 - y1);
            let half = t * (x2 - x1) / 2.0;
            let cx = (x1 + x2) / 2.0;
            x >= cx - half && x <= cx + half
        }
    }
}

/// The scene of `seed`: 1 to 4 shapes of side 14 to 40 pixels on a `size × size` image whose
/// centres keep at least 12 pixels apart, each shape at least 0.35 in colour distance from the
/// background. Boxes are the shapes' exact pixel extents divided by `size`.
pub fn generate(seed: u64, size: usize) -> Result<Scene> {
    ensure!(
        (32..=512).contains(&size),
        "scenes are 32 to 512 pixels wide, got {size}"
    );
    let mut rng = Rng::new(seed);
    let background = [rng.unit(), rng.unit(), rng.unit()];
    let mut image = vec![0.0f32; 3 * size * size];
    for c in 0..3 {
        for v in &mut image[c * size * size..(c + 1) * size * size] {
            *v = (background[c] + rng.range(-0.04, 0.04)).clamp(0.0, 1.0);
        }
    }
    let count = rng.int(1, 4);
    let scale = size as f32 / SCENE_SIZE as f32;
    let mut objects: Vec<Object> = Vec::new();
    let mut attempts = 0;
    while objects.len() < count && attempts < 50 {
        attempts += 1;
        let class = rng.int(0, 2);
        let side = rng.range(14.0, 40.0) * scale;
        let (w, h) = if class == 2 {
            (side, side * rng.range(0.75, 1.0))
        } else {
            (side, side)
        };
        let x1 = rng.range(0.0, size as f32 - w).floor();
        let y1 = rng.range(0.0, size as f32 - h).floor();
        let bounds = (x1, y1, x1 + w.round(), y1 + h.round());
        let centre = ((bounds.0 + bounds.2) / 2.0, (bounds.1 + bounds.3) / 2.0);
        let crowded = objects.iter().any(|o| {
            let (cx, cy) = o.bbox.centre();
            let d = ((cx * size as f32 - centre.0).powi(2) + (cy * size as f32 - centre.1).powi(2))
                .sqrt();
            d < 12.0 * scale
        });
        let colour = [rng.unit(), rng.unit(), rng.unit()];
        let distance = colour
            .iter()
            .zip(background)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f32>()
            .sqrt();
        if crowded || distance < 0.35 {
            continue;
        }
        let (mut lo_x, mut lo_y, mut hi_x, mut hi_y) = (usize::MAX, usize::MAX, 0, 0);
        for y in 0..size {
            for x in 0..size {
                if inside(class, bounds, x as f32 + 0.5, y as f32 + 0.5) {
                    for (c, value) in colour.iter().enumerate() {
                        image[(c * size + y) * size + x] = *value;
                    }
                    (lo_x, lo_y, hi_x, hi_y) = (lo_x.min(x), lo_y.min(y), hi_x.max(x), hi_y.max(y));
                }
            }
        }
        if lo_x == usize::MAX {
            continue;
        }
        let f = |v: usize| v as f32 / size as f32;
        objects.push(Object {
            bbox: BBox::new(f(lo_x), f(lo_y), f(hi_x + 1), f(hi_y + 1))?,
            class,
        });
    }
    // Values are whole levels k/255, as a canvas would give them, so scenes store losslessly as
    // bytes.
    for v in &mut image {
        *v = (*v * 255.0).round() / 255.0;
    }
    Ok(Scene {
        size,
        image,
        objects,
    })
}

/// Most scenes [`scene_inputs`] generates in one call (the explorer asks for at most 100; each
/// scene takes a few milliseconds to draw).
pub const MAX_SCENE_INPUTS: usize = 1000;

/// `count` generated scenes (seeds `0..count`, `count ≤` [`MAX_SCENE_INPUTS`]) resized to
/// `height × width`, one after the other: `count · 3 · height · width` values in 0..1, a set of
/// RGB inputs for a model (the explorer's "what deep ConvNets learn" search, its sample input).
pub fn scene_inputs(count: usize, height: usize, width: usize) -> Result<Vec<f32>> {
    ensure!(
        count <= MAX_SCENE_INPUTS,
        "at most {MAX_SCENE_INPUTS} scenes can be generated at once, got {count}: ask for fewer"
    );
    crate::core::geometry::check_output_size("scene inputs", &[count, 3, height, width])?;
    let mut out = Vec::with_capacity(count * 3 * height * width);
    for seed in 0..count as u64 {
        let scene = generate(seed, SCENE_SIZE)?;
        let rgba = crate::core::image::rgb_to_rgba(&scene.image, scene.size, scene.size)?;
        out.extend(crate::core::image::rgba_to_rgb_resized(
            &rgba, scene.size, scene.size, width, height,
        )?);
    }
    Ok(out)
}

/// Side of the sliding-windows classifier's input patch (lecture 26: 14x14x3).
pub const PATCH_SIZE: usize = 14;

/// Class index of "no shape" for the patch classifier, after the three [`CLASSES`] (the lecture's
/// fourth output, "background").
pub const BACKGROUND: usize = 3;

/// A `size × size` RGB patch (`[3, size, size]`, values `k/255`) and its class: a shape of side
/// 60-95 % of the patch, roughly centred, on a noisy plain background (classes 0-2), or only the
/// background ([`BACKGROUND`]) one time in four. The training set of the lecture 26 classifier.
pub fn patch(seed: u64, size: usize) -> Result<(Vec<f32>, usize)> {
    let p = patch_with_centre(seed, size)?;
    Ok((p.image, p.class))
}

/// A generated patch ([`patch`]) with where its shape is.
#[derive(Clone, Debug, PartialEq)]
pub struct Patch {
    /// `[3, size, size]`, values `k/255`.
    pub image: Vec<f32>,
    /// 0-2 a shape of [`CLASSES`], or [`BACKGROUND`].
    pub class: usize,
    /// The shape's centre `[x, y]` in pixels from the patch's top-left corner (the middle of its
    /// bounding box); `None` for a background patch.
    pub centre: Option<[f32; 2]>,
}

/// [`patch`] with the shape's centre.
pub fn patch_with_centre(seed: u64, size: usize) -> Result<Patch> {
    ensure!(
        (8..=64).contains(&size),
        "patches are 8 to 64 pixels wide, got {size}"
    );
    let mut rng = Rng::new(seed ^ 0x5EED_CAFE);
    let background = [rng.unit(), rng.unit(), rng.unit()];
    let n = size * size;
    let mut image: Vec<f32> = (0..3 * n)
        .map(|i| (background[i / n] + rng.range(-0.04, 0.04)).clamp(0.0, 1.0))
        .collect();
    let class = if rng.int(0, 3) == 3 {
        BACKGROUND
    } else {
        rng.int(0, 2)
    };
    let mut centre = None;
    if class != BACKGROUND {
        let colour = loop {
            let c = [rng.unit(), rng.unit(), rng.unit()];
            let d: f32 = c.iter().zip(background).map(|(a, b)| (a - b).powi(2)).sum();
            if d.sqrt() >= 0.35 {
                break c;
            }
        };
        let side = (size as f32 * rng.range(0.6, 0.95)).round();
        let slack = size as f32 - side;
        let x1 = (slack / 2.0 + rng.range(-1.5, 1.5))
            .clamp(0.0, slack)
            .round();
        let y1 = (slack / 2.0 + rng.range(-1.5, 1.5))
            .clamp(0.0, slack)
            .round();
        let bounds = (x1, y1, x1 + side, y1 + side);
        centre = Some([x1 + side / 2.0, y1 + side / 2.0]);
        for y in 0..size {
            for x in 0..size {
                if inside(class, bounds, x as f32 + 0.5, y as f32 + 0.5) {
                    for (c, v) in colour.iter().enumerate() {
                        image[c * n + y * size + x] = *v;
                    }
                }
            }
        }
    }
    for v in &mut image {
        *v = (*v * 255.0).round() / 255.0;
    }
    Ok(Patch {
        image,
        class,
        centre,
    })
}

/// Lecture 26's 28x28 picture: four patches tiled 2×2 (see [`patch_mosaic`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Mosaic {
    /// Side in pixels, `2 · size` of the patches.
    pub side: usize,
    /// `[3, side, side]`, values `k/255`.
    pub image: Vec<f32>,
    /// The patches' classes: top-left, top-right, bottom-left, bottom-right.
    pub classes: [usize; 4],
    /// Their shapes' centres `[x, y]` in the mosaic's pixels (`None` for background patches).
    pub centres: [Option<[f32; 2]>; 4],
}

/// A `2·size × 2·size` picture tiled from the four patches of seeds `seed, seed + 1, …` (top-left,
/// top-right, bottom-left, bottom-right) and their classes: lecture 26's 28x28 image for the
/// convolutional sliding windows, where the windows at the four corners see exactly one patch.
pub fn patch_mosaic(seed: u64, size: usize) -> Result<Mosaic> {
    let side = 2 * size;
    let mut image = vec![0.0f32; 3 * side * side];
    let mut classes = [0; 4];
    let mut centres = [None; 4];
    for k in 0..4 {
        let p = patch_with_centre(seed + k as u64, size)?;
        let (oy, ox) = ((k / 2) * size, (k % 2) * size);
        classes[k] = p.class;
        centres[k] = p.centre.map(|[x, y]| [x + ox as f32, y + oy as f32]);
        for ch in 0..3 {
            for y in 0..size {
                let from = &p.image[(ch * size + y) * size..][..size];
                image[(ch * side + oy + y) * side + ox..][..size].copy_from_slice(from);
            }
        }
    }
    Ok(Mosaic {
        side,
        image,
        classes,
        centres,
    })
}

/// The class each sliding window should report (lecture 26's training labels, and the page's
/// answer key): for the window of `window × window` pixels at rows `stride·r ..`, columns
/// `stride·c ..` (`r, c` in `0 ..= (side − window) / stride`), the class of the shape whose centre
/// lies inside it (`x0 ≤ cx < x0 + window`, the same for `y`; the one nearest the window's centre
/// if several do), or [`BACKGROUND`] when none does. Row-major, `rows · cols` labels.
///
/// Errors when the window is larger than the mosaic or the stride is 0.
pub fn window_labels(mosaic: &Mosaic, window: usize, stride: usize) -> Result<Vec<usize>> {
    ensure!(
        stride >= 1 && (1..=mosaic.side).contains(&window),
        "windows of {window} pixels at stride {stride} do not fit a {0}×{0} mosaic: use a stride of at least 1 and a window of 1 to {0} pixels",
        mosaic.side
    );
    let n = (mosaic.side - window) / stride + 1;
    let mut labels = Vec::with_capacity(n * n);
    for r in 0..n {
        for c in 0..n {
            let (x0, y0) = ((c * stride) as f32, (r * stride) as f32);
            let (mx, my) = (x0 + window as f32 / 2.0, y0 + window as f32 / 2.0);
            let held = (0..4)
                .filter_map(|k| mosaic.centres[k].map(|centre| (k, centre)))
                .filter(|(_, [x, y])| {
                    (x0..x0 + window as f32).contains(x) && (y0..y0 + window as f32).contains(y)
                })
                .min_by(|(_, a), (_, b)| {
                    let d = |[x, y]: [f32; 2]| (x - mx).powi(2) + (y - my).powi(2);
                    d(*a).total_cmp(&d(*b))
                });
            labels.push(held.map_or(BACKGROUND, |(k, _)| mosaic.classes[k]));
        }
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_are_deterministic_and_boxes_fit_the_shapes() {
        let a = generate(11, SCENE_SIZE).unwrap();
        assert_eq!(a, generate(11, SCENE_SIZE).unwrap());
        assert_ne!(a.image, generate(12, SCENE_SIZE).unwrap().image);
        assert!(!a.objects.is_empty() && a.objects.len() <= 4);
        for o in &a.objects {
            let px = o.bbox.width() * SCENE_SIZE as f32;
            assert!((10.0..=41.0).contains(&px), "{o:?}");
            assert!(o.bbox.x1 >= 0.0 && o.bbox.x2 <= 1.0 && o.bbox.y2 <= 1.0);
        }
        assert!(a.image.iter().all(|v| (0.0..=1.0).contains(v)));
        assert!(generate(1, 8).is_err());
    }

    #[test]
    fn patches_cover_every_class_and_tile_into_mosaics() {
        let mut seen = [0; 4];
        for seed in 0..200 {
            let (p, c) = patch(seed, PATCH_SIZE).unwrap();
            assert_eq!(p.len(), 3 * PATCH_SIZE * PATCH_SIZE);
            seen[c] += 1;
        }
        assert!(seen.iter().all(|&n| n > 25), "{seen:?}");
        let mosaic = patch_mosaic(5, PATCH_SIZE).unwrap();
        let (third, class) = patch(7, PATCH_SIZE).unwrap();
        assert_eq!(mosaic.classes[2], class);
        // Row 0 of the bottom-left patch is row 14 of the mosaic, columns 0..14.
        assert_eq!(mosaic.image[14 * 28..14 * 28 + 14], third[..14]);
    }

    #[test]
    fn middle_sized_shapes_are_targets_of_both_anchors() {
        let spec = detector_spec();
        let fields = spec.fields();
        let object = |side: f32| Object {
            bbox: BBox::from_centre(0.5, 0.5, side / 96.0, side / 96.0),
            class: 1,
        };
        // Centre (0.5, 0.5) of a 6×6 grid: cell (3, 3), slots 42 and 43.
        let slots = |t: &[f32]| [t[42 * fields], t[43 * fields]];
        // 16 px (1 cell): only the small anchor; 40 px (2.5 cells): only the large one.
        assert_eq!(
            slots(&training_target(&spec, &[object(16.0)]).unwrap()),
            [1.0, 0.0]
        );
        assert_eq!(
            slots(&training_target(&spec, &[object(40.0)]).unwrap()),
            [0.0, 1.0]
        );
        // 24 px (1.5 cells): both, with the same values.
        let t = training_target(&spec, &[object(24.0)]).unwrap();
        assert_eq!(slots(&t), [1.0, 1.0]);
        assert_eq!(t[42 * fields..43 * fields], t[43 * fields..44 * fields]);
        // The lecture's target keeps one anchor.
        let lecture = yolo_target(&spec, &[object(24.0)]).unwrap().data;
        assert_eq!(slots(&lecture).iter().sum::<f32>(), 1.0);
    }

    #[test]
    fn each_window_is_labelled_by_the_shape_whose_centre_it_holds() {
        let mosaic = Mosaic {
            side: 28,
            image: vec![],
            classes: [0, BACKGROUND, 2, 1],
            centres: [
                Some([7.0, 7.0]),
                None,
                Some([5.5, 21.0]),
                Some([21.0, 21.0]),
            ],
        };
        let labels = window_labels(&mosaic, 14, 2).unwrap();
        assert_eq!(labels.len(), 64);
        // Window (0, 0) covers pixels 0..14 both ways: the circle at (7, 7).
        assert_eq!(labels[0], 0);
        // Window (0, 7) covers columns 14..28, rows 0..14: the background patch holds no centre.
        assert_eq!(labels[7], BACKGROUND);
        // Window (4, 0) covers rows 8..22: the triangle at (5.5, 21); window (4, 3) covers columns
        // 6..20, which miss it (5.5 < 6) and the square at x = 21: background.
        assert_eq!(labels[4 * 8], 2);
        assert_eq!(labels[4 * 8 + 3], BACKGROUND);
        // Window (7, 7) holds the square.
        assert_eq!(labels[63], 1);
        assert!(window_labels(&mosaic, 14, 0).is_err());
        assert!(window_labels(&mosaic, 29, 2).is_err());
    }

    #[test]
    fn every_class_appears_across_seeds() {
        let mut seen = [0; 3];
        for seed in 0..40 {
            for o in generate(seed, SCENE_SIZE).unwrap().objects {
                seen[o.class] += 1;
            }
        }
        assert!(seen.iter().all(|&n| n > 10), "{seen:?}");
    }
}
