//! Object detection, week 3 of the course: boxes, IoU, non-max suppression, the localisation
//! target of lecture 23, YOLO grid targets with anchor boxes (lectures 27, 30, 31) and the
//! decoding of a YOLO model's raw output (lectures 29, 31).
//!
//! Conventions, stated once:
//! - A box is `(x1, y1, x2, y2)`: top-left and bottom-right corners, origin at the top-left of the
//!   image, x to the right, y down, no `+1` (its width is `x2 - x1`). Coordinates may be pixels or
//!   fractions of the image; IoU does not care.
//! - IoU of boxes that only touch (or do not meet) is 0, and a zero union gives 0 instead of a
//!   division by zero.
//! - Non-max suppression keeps boxes whose score is **strictly above** the score threshold (the
//!   course: "discard all boxes with p_c ≤ 0.6"), visits them by descending score (`total_cmp`;
//!   equal scores in input order), keeps the best remaining box and suppresses every other box
//!   (of its class, for the per-class variant) whose IoU with it is **≥** the IoU threshold (the
//!   course: "discard any remaining box with IoU ≥ 0.5"). NaN scores are never kept.
//! - YOLO grids: `S × S` cells over the image; a box centre in image fractions `(x, y)` lies in
//!   cell `(row, col) = (⌊y·S⌋, ⌊x·S⌋)`. Anchor sizes are in **grid cells** (as in YOLOv2).
//! - The course's target `y` per cell and anchor is `[p_c, b_x, b_y, b_h, b_w, c_1, …, c_C]` with
//!   `b_x, b_y` the centre within the cell (0..1) and `b_h, b_w` in cell units (may exceed 1);
//!   the target tensor is `[S, S, A, 5 + C]` in that (row, column, anchor, field) order, the
//!   course's `3×3×2×8`.
//! - A YOLO model's raw output is NCHW, `[A·(5 + C), S, S]` (batch dropped), channel
//!   `a·(5 + C) + field` with fields `[t_x, t_y, t_w, t_h, t_o, class logits…]`.

use anyhow::{bail, ensure, Result};

/// An axis-aligned box `(x1, y1, x2, y2)`; see the module conventions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BBox {
    /// Left edge.
    pub x1: f32,
    /// Top edge.
    pub y1: f32,
    /// Right edge (`≥ x1`).
    pub x2: f32,
    /// Bottom edge (`≥ y1`).
    pub y2: f32,
}

impl BBox {
    /// A box from its corners; errors for non-finite numbers or `x2 < x1`, `y2 < y1`.
    pub fn new(x1: f32, y1: f32, x2: f32, y2: f32) -> Result<Self> {
        ensure!(
            [x1, y1, x2, y2].iter().all(|v| v.is_finite()),
            "box ({x1}, {y1}, {x2}, {y2}) has a non-finite corner"
        );
        ensure!(
            x2 >= x1 && y2 >= y1,
            "box ({x1}, {y1}, {x2}, {y2}) has x2 < x1 or y2 < y1"
        );
        Ok(BBox { x1, y1, x2, y2 })
    }

    /// The box of centre `(cx, cy)`, width `w` and height `h`: `(cx - w/2, cy - h/2, cx + w/2,
    /// cy + h/2)`.
    pub fn from_centre(cx: f32, cy: f32, w: f32, h: f32) -> Self {
        BBox {
            x1: cx - w / 2.0,
            y1: cy - h / 2.0,
            x2: cx + w / 2.0,
            y2: cy + h / 2.0,
        }
    }

    /// `x2 - x1`.
    pub fn width(&self) -> f32 {
        self.x2 - self.x1
    }

    /// `y2 - y1`.
    pub fn height(&self) -> f32 {
        self.y2 - self.y1
    }

    /// `((x1 + x2) / 2, (y1 + y2) / 2)`.
    pub fn centre(&self) -> (f32, f32) {
        ((self.x1 + self.x2) / 2.0, (self.y1 + self.y2) / 2.0)
    }

    /// `width · height` (0 for a degenerate box).
    pub fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }

    /// The overlap of two boxes, or `None` when they do not meet with a positive area (touching
    /// boxes have none).
    pub fn intersection(&self, other: &BBox) -> Option<BBox> {
        let b = BBox {
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
            x2: self.x2.min(other.x2),
            y2: self.y2.min(other.y2),
        };
        (b.x2 > b.x1 && b.y2 > b.y1).then_some(b)
    }
}

/// The parts of an IoU, for the page to show: `iou = intersection / union`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IouParts {
    /// Area of the overlap: `max(0, min(x2) - max(x1)) · max(0, min(y2) - max(y1))`.
    pub intersection: f32,
    /// `area(a) + area(b) - intersection`.
    pub union: f32,
    /// `intersection / union`, or 0 when the union is 0.
    pub iou: f32,
}

/// Intersection, union and IoU of `a` and `b`. Touching boxes have intersection 0, so IoU 0.
pub fn iou_parts(a: &BBox, b: &BBox) -> IouParts {
    let intersection = a.intersection(b).map_or(0.0, |o| o.area());
    let union = a.area() + b.area() - intersection;
    let iou = if !(intersection.is_finite() && union.is_finite()) {
        // Areas past f32's range (boxes of 1e20 pixels): the ratio in 64 bits.
        let area = |b: &BBox| {
            (f64::from(b.x2) - f64::from(b.x1)).max(0.0)
                * (f64::from(b.y2) - f64::from(b.y1)).max(0.0)
        };
        let inter = a.intersection(b).map_or(0.0, |o| area(&o));
        let union = area(a) + area(b) - inter;
        if union > 0.0 {
            (inter / union) as f32
        } else {
            0.0
        }
    } else if union > 0.0 {
        intersection / union
    } else {
        0.0
    };
    IouParts {
        intersection,
        union,
        iou,
    }
}

/// Intersection over union of `a` and `b` (lecture 28), in `[0, 1]`.
pub fn iou(a: &BBox, b: &BBox) -> f32 {
    iou_parts(a, b).iou
}

/// One step of non-max suppression: the box kept and the boxes it suppressed with their IoU.
#[derive(Clone, Debug, PartialEq)]
pub struct NmsStep {
    /// Index of the kept box.
    pub kept: usize,
    /// `(index, IoU with the kept box)` of each box it suppressed.
    pub suppressed: Vec<(usize, f32)>,
}

/// Non-max suppression, step by step.
#[derive(Clone, Debug, PartialEq)]
pub struct NmsTrace {
    /// Boxes removed because their score is not above the score threshold (or NaN), in input
    /// order.
    pub below_threshold: Vec<usize>,
    /// One step per kept box, in descending score order.
    pub steps: Vec<NmsStep>,
}

impl NmsTrace {
    /// The kept boxes' indices in descending score order.
    pub fn kept(&self) -> Vec<usize> {
        self.steps.iter().map(|s| s.kept).collect()
    }
}

fn check_nms_args(
    boxes: &[BBox],
    scores: &[f32],
    classes: Option<&[u32]>,
    iou_threshold: f32,
) -> Result<()> {
    ensure!(
        boxes.len() == scores.len(),
        "{} boxes but {} scores",
        boxes.len(),
        scores.len()
    );
    if let Some(classes) = classes {
        ensure!(
            classes.len() == boxes.len(),
            "{} boxes but {} classes",
            boxes.len(),
            classes.len()
        );
    }
    ensure!(
        (0.0..=1.0).contains(&iou_threshold),
        "the IoU threshold must be between 0 and 1, got {iou_threshold}"
    );
    Ok(())
}

/// Non-max suppression with its steps (see the module conventions): boxes of different classes
/// never suppress each other when `classes` is given; without it all boxes compete (class
/// agnostic). Errors when the lengths differ or the IoU threshold is outside `[0, 1]`.
pub fn nms_trace(
    boxes: &[BBox],
    scores: &[f32],
    classes: Option<&[u32]>,
    score_threshold: f32,
    iou_threshold: f32,
) -> Result<NmsTrace> {
    check_nms_args(boxes, scores, classes, iou_threshold)?;
    let (mut candidates, below_threshold): (Vec<usize>, Vec<usize>) =
        (0..boxes.len()).partition(|&i| scores[i] > score_threshold);
    // Descending score; `sort_by` is stable, so equal scores stay in input order.
    candidates.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let same_class = |a: usize, b: usize| classes.is_none_or(|c| c[a] == c[b]);
    let mut alive = vec![true; candidates.len()];
    let mut steps = Vec::new();
    for i in 0..candidates.len() {
        if !alive[i] {
            continue;
        }
        let kept = candidates[i];
        let mut suppressed = Vec::new();
        for j in i + 1..candidates.len() {
            let other = candidates[j];
            if !alive[j] || !same_class(kept, other) {
                continue;
            }
            let overlap = iou(&boxes[kept], &boxes[other]);
            if overlap >= iou_threshold {
                alive[j] = false;
                suppressed.push((other, overlap));
            }
        }
        steps.push(NmsStep { kept, suppressed });
    }
    Ok(NmsTrace {
        below_threshold,
        steps,
    })
}

/// Class-agnostic non-max suppression: the indices of the kept boxes in descending score order.
pub fn non_max_suppression(
    boxes: &[BBox],
    scores: &[f32],
    score_threshold: f32,
    iou_threshold: f32,
) -> Result<Vec<usize>> {
    Ok(nms_trace(boxes, scores, None, score_threshold, iou_threshold)?.kept())
}

/// Per-class non-max suppression (a box only suppresses boxes of its own class): the indices of
/// the kept boxes in descending score order.
pub fn non_max_suppression_per_class(
    boxes: &[BBox],
    scores: &[f32],
    classes: &[u32],
    score_threshold: f32,
    iou_threshold: f32,
) -> Result<Vec<usize>> {
    Ok(nms_trace(boxes, scores, Some(classes), score_threshold, iou_threshold)?.kept())
}

/// Most classes a localisation target or a YOLO grid takes (ImageNet has 1,000).
pub const MAX_CLASSES: usize = 1000;

/// One object in an image: its box in image fractions (0..1, top-left origin) and its class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Object {
    /// The box, in fractions of the image width and height.
    pub bbox: BBox,
    /// Class index `0..C`.
    pub class: usize,
}

/// The localisation target of lecture 23 for an image with at most one object:
/// `y = [p_c, b_x, b_y, b_h, b_w, c_1, …, c_C]` with the box centre and size in fractions of the
/// image (top-left (0, 0), bottom-right (1, 1)). With no object `p_c = 0` and every other entry
/// is "don't care" (`None`).
pub fn localization_target(object: Option<&Object>, classes: usize) -> Result<Vec<Option<f32>>> {
    ensure!(
        (1..=MAX_CLASSES).contains(&classes),
        "the number of classes must be from 1 to {MAX_CLASSES}, not {classes}"
    );
    let Some(o) = object else {
        return Ok(std::iter::once(Some(0.0))
            .chain(std::iter::repeat_n(None, 4 + classes))
            .collect());
    };
    ensure!(
        o.class < classes,
        "class {} is outside the {classes} classes",
        o.class
    );
    let (bx, by) = o.bbox.centre();
    let mut y = vec![
        Some(1.0),
        Some(bx),
        Some(by),
        Some(o.bbox.height()),
        Some(o.bbox.width()),
    ];
    y.extend((0..classes).map(|c| Some(if c == o.class { 1.0 } else { 0.0 })));
    Ok(y)
}

/// The squared-error loss of lecture 23: with an object (`y_1 = 1`) the sum of
/// `(ŷ_i - y_i)²` over all components; without one only `(ŷ_1 - y_1)²` (the rest is "don't
/// care"). Errors when the lengths differ or the target has no `p_c`.
pub fn localization_loss(prediction: &[f32], target: &[Option<f32>]) -> Result<f32> {
    ensure!(
        prediction.len() == target.len(),
        "prediction has {} values but the target {}",
        prediction.len(),
        target.len()
    );
    let Some(Some(pc)) = target.first() else {
        bail!("the target's first entry p_c must be 0 or 1");
    };
    if *pc == 0.0 {
        return Ok((prediction[0] - pc).powi(2));
    }
    prediction
        .iter()
        .zip(target)
        .map(|(p, t)| match t {
            Some(t) => Ok((p - t).powi(2)),
            None => bail!("a target with an object has no don't-care entries"),
        })
        .sum()
}

/// A YOLO grid: `S × S` cells, anchor boxes `(width, height)` in grid cells, `C` classes.
#[derive(Clone, Debug, PartialEq)]
pub struct GridSpec {
    /// Cells per side `S`.
    pub grid: usize,
    /// Anchor `(width, height)` in grid cells.
    pub anchors: Vec<(f32, f32)>,
    /// Number of classes `C` (0 for a detector with objectness only).
    pub classes: usize,
}

impl GridSpec {
    /// Checks the grid: 1 to 64 cells per side, 1 to 16 anchors of positive finite size, at most
    /// 1000 classes.
    pub fn validate(&self) -> Result<()> {
        ensure!(
            (1..=64).contains(&self.grid),
            "the grid must have 1 to 64 cells per side, got {}",
            self.grid
        );
        ensure!(
            (1..=16).contains(&self.anchors.len()),
            "1 to 16 anchor boxes are needed, got {}",
            self.anchors.len()
        );
        for (i, &(w, h)) in self.anchors.iter().enumerate() {
            ensure!(
                w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0,
                "anchor {i} has size {w}x{h}; anchors need a positive width and height"
            );
        }
        ensure!(
            self.classes <= 1000,
            "at most 1000 classes, got {}",
            self.classes
        );
        Ok(())
    }

    /// Values per anchor: `5 + C`.
    pub fn fields(&self) -> usize {
        5 + self.classes
    }

    /// The cell `(row, col)` holding the point `(x, y)` in image fractions (clamped to the grid).
    pub fn cell_of(&self, x: f32, y: f32) -> (usize, usize) {
        let s = self.grid as f32;
        let index = |v: f32| ((v * s).floor().max(0.0) as usize).min(self.grid - 1);
        (index(y), index(x))
    }
}

/// IoU of two box shapes `(w, h)` placed on the same centre: how anchors are matched to objects.
pub fn shape_iou(a: (f32, f32), b: (f32, f32)) -> f32 {
    iou(
        &BBox::from_centre(0.0, 0.0, a.0, a.1),
        &BBox::from_centre(0.0, 0.0, b.0, b.1),
    )
}

/// Where one object went in the target.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// Index of the object.
    pub object: usize,
    /// Cell row.
    pub row: usize,
    /// Cell column.
    pub col: usize,
    /// The anchor whose shape overlaps the object's most.
    pub anchor: usize,
    /// IoU of the object's and the anchor's shapes.
    pub anchor_iou: f32,
    /// The target values `[p_c, b_x, b_y, b_h, b_w, c_1, …]` for this cell and anchor.
    pub values: Vec<f32>,
    /// False when an earlier object already took this cell and anchor (the object is lost).
    pub stored: bool,
}

/// A case YOLO cannot represent (lecture 30).
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// Cell row.
    pub row: usize,
    /// Cell column.
    pub col: usize,
    /// The objects involved.
    pub objects: Vec<usize>,
    /// What went wrong, in words.
    pub reason: String,
}

/// The YOLO training target for `objects`: the tensor `[S, S, A, 5 + C]` and how each object was
/// assigned.
#[derive(Clone, Debug, PartialEq)]
pub struct YoloTarget {
    /// `[S, S, A, 5 + C]`.
    pub shape: Vec<usize>,
    /// The target values; cells and anchors without an object have `p_c = 0` and zeros elsewhere
    /// (the "don't care" entries).
    pub data: Vec<f32>,
    /// One per object, in input order.
    pub assignments: Vec<Assignment>,
    /// Cells where objects collide.
    pub conflicts: Vec<Conflict>,
}

/// Builds the YOLO target of lectures 27, 30 and 31: each object goes to the cell holding its
/// centre and, within it, to the anchor whose shape has the highest IoU with the object's shape
/// (the first on ties). Within the cell, `b_x, b_y` are the centre's offsets (0..1) and
/// `b_h, b_w` the size in cell units. Two objects on the same cell and anchor cannot both be
/// stored (the first wins, the conflict is reported), nor can more objects than anchors share a
/// cell.
pub fn yolo_target(spec: &GridSpec, objects: &[Object]) -> Result<YoloTarget> {
    spec.validate()?;
    let (s, a, fields) = (spec.grid, spec.anchors.len(), spec.fields());
    let shape = vec![s, s, a, fields];
    let mut data = vec![0.0; s * s * a * fields];
    let mut owner: Vec<Option<usize>> = vec![None; s * s * a];
    let mut assignments = Vec::with_capacity(objects.len());
    let cells = s as f32;
    for (i, o) in objects.iter().enumerate() {
        ensure!(
            o.class < spec.classes.max(1),
            "object {i} has class {} but there are {} classes",
            o.class,
            spec.classes
        );
        let (cx, cy) = o.bbox.centre();
        ensure!(
            (0.0..=1.0).contains(&cx) && (0.0..=1.0).contains(&cy),
            "object {i}'s centre ({cx}, {cy}) is outside the image (0..1)"
        );
        let (row, col) = spec.cell_of(cx, cy);
        let size = (o.bbox.width() * cells, o.bbox.height() * cells);
        let (anchor, anchor_iou) = spec
            .anchors
            .iter()
            .map(|&an| shape_iou(size, an))
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |best, (k, v)| {
                if v > best.1 {
                    (k, v)
                } else {
                    best
                }
            });
        let mut values = vec![
            1.0,
            cx * cells - col as f32,
            cy * cells - row as f32,
            size.1,
            size.0,
        ];
        values.extend((0..spec.classes).map(|c| if c == o.class { 1.0 } else { 0.0 }));
        let slot = (row * s + col) * a + anchor;
        let stored = owner[slot].is_none();
        if stored {
            owner[slot] = Some(i);
            data[slot * fields..(slot + 1) * fields].copy_from_slice(&values);
        }
        assignments.push(Assignment {
            object: i,
            row,
            col,
            anchor,
            anchor_iou,
            values,
            stored,
        });
    }
    let mut conflicts = Vec::new();
    for row in 0..s {
        for col in 0..s {
            let here: Vec<&Assignment> = assignments
                .iter()
                .filter(|x| x.row == row && x.col == col)
                .collect();
            if here.len() > a {
                conflicts.push(Conflict {
                    row,
                    col,
                    objects: here.iter().map(|x| x.object).collect(),
                    reason: format!(
                        "{} objects in one cell but only {a} anchor box{}",
                        here.len(),
                        if a == 1 { "" } else { "es" }
                    ),
                });
            }
            for anchor in 0..a {
                let same: Vec<usize> = here
                    .iter()
                    .filter(|x| x.anchor == anchor)
                    .map(|x| x.object)
                    .collect();
                if same.len() > 1 {
                    conflicts.push(Conflict {
                        row,
                        col,
                        objects: same.clone(),
                        reason: format!(
                            "{} objects in one cell match the same anchor box {}; only object {} is kept",
                            same.len(),
                            anchor + 1,
                            same[0] + 1
                        ),
                    });
                }
            }
        }
    }
    Ok(YoloTarget {
        shape,
        data,
        assignments,
        conflicts,
    })
}

/// One decoded prediction of a YOLO model.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// The box in image fractions.
    pub bbox: BBox,
    /// `p_c · class probability` (just `p_c` without classes).
    pub score: f32,
    /// The most probable class (0 without classes).
    pub class: u32,
    /// Objectness `p_c = σ(t_o)`.
    pub objectness: f32,
    /// Probability of `class` (softmax of the logits; 1 without classes).
    pub class_probability: f32,
    /// Cell row, cell column and anchor that produced it.
    pub cell: (usize, usize, usize),
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Decodes a YOLO model's raw output `[A·(5 + C), S, S]` (see the module conventions) into one
/// detection per cell and anchor:
/// `x = (col + σ(t_x)) / S`, `y = (row + σ(t_y)) / S`, `w = anchor_w · e^{t_w} / S`,
/// `h = anchor_h · e^{t_h} / S`, `p_c = σ(t_o)`, class probabilities `softmax(logits)`, and
/// `score = p_c · max probability`. Errors name the shapes when the output does not match the
/// grid, anchors and classes.
pub fn yolo_decode(spec: &GridSpec, output: &[f32], shape: &[usize]) -> Result<Vec<Detection>> {
    spec.validate()?;
    let (s, a, fields) = (spec.grid, spec.anchors.len(), spec.fields());
    let expected = [a * fields, s, s];
    let dims: Vec<usize> = match shape {
        [1, rest @ ..] if rest.len() == 3 => rest.to_vec(),
        other => other.to_vec(),
    };
    ensure!(
        dims == expected,
        "the model's output has shape {:?} but a {s}x{s} grid with {a} anchors and {} classes needs [{}, {s}, {s}] ({a}·(5 + {}) channels)",
        shape,
        spec.classes,
        a * fields,
        spec.classes
    );
    ensure!(
        output.len() == a * fields * s * s,
        "the output has {} values but shape {:?} needs {}",
        output.len(),
        shape,
        a * fields * s * s
    );
    let at = |channel: usize, row: usize, col: usize| output[(channel * s + row) * s + col];
    let cells = s as f32;
    let mut detections = Vec::with_capacity(s * s * a);
    for row in 0..s {
        for col in 0..s {
            for (k, &(aw, ah)) in spec.anchors.iter().enumerate() {
                let base = k * fields;
                let v = |field: usize| at(base + field, row, col);
                let x = (col as f32 + sigmoid(v(0))) / cells;
                let y = (row as f32 + sigmoid(v(1))) / cells;
                let w = aw * v(2).exp() / cells;
                let h = ah * v(3).exp() / cells;
                let objectness = sigmoid(v(4));
                let (class, class_probability) = if spec.classes == 0 {
                    (0, 1.0)
                } else {
                    let logits: Vec<f32> = (0..spec.classes).map(|c| v(5 + c)).collect();
                    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let exps: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
                    let total: f32 = exps.iter().sum();
                    let (best, p) =
                        exps.iter()
                            .enumerate()
                            .fold(
                                (0, f32::NEG_INFINITY),
                                |b, (c, &e)| {
                                    if e > b.1 {
                                        (c, e)
                                    } else {
                                        b
                                    }
                                },
                            );
                    (best as u32, p / total)
                };
                detections.push(Detection {
                    bbox: BBox::from_centre(x, y, w, h),
                    score: objectness * class_probability,
                    class,
                    objectness,
                    class_probability,
                    cell: (row, col, k),
                });
            }
        }
    }
    Ok(detections)
}

/// One image's predictions for mAP: `(box, score, class)`.
pub type Predictions = Vec<(BBox, f32, usize)>;

/// Average precision of one class at IoU `iou_threshold` (PASCAL VOC, all-point interpolation):
/// predictions of every image are ranked by descending score (`total_cmp`); each is a true
/// positive when its best-overlapping unmatched ground-truth box of the class has IoU ≥ the
/// threshold. `None` when no image holds an object of the class.
pub fn average_precision(
    predictions: &[Predictions],
    truths: &[Vec<Object>],
    class: usize,
    iou_threshold: f32,
) -> Option<f32> {
    let total: usize = truths
        .iter()
        .map(|t| t.iter().filter(|o| o.class == class).count())
        .sum();
    if total == 0 {
        return None;
    }
    let mut ranked: Vec<(f32, usize, BBox)> = predictions
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.iter()
                .filter(|d| d.2 == class)
                .map(move |d| (d.1, i, d.0))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut used: Vec<Vec<bool>> = truths.iter().map(|t| vec![false; t.len()]).collect();
    let (mut tp, mut points) = (0usize, Vec::with_capacity(ranked.len()));
    for (rank, (_, image, bbox)) in ranked.iter().enumerate() {
        let best = truths[*image]
            .iter()
            .enumerate()
            .filter(|(_, o)| o.class == class)
            .map(|(j, o)| (j, iou(bbox, &o.bbox)))
            .fold(None, |b: Option<(usize, f32)>, x| match b {
                Some(b) if b.1 >= x.1 => Some(b),
                _ => Some(x),
            });
        if let Some((j, overlap)) = best {
            if overlap >= iou_threshold && !used[*image][j] {
                used[*image][j] = true;
                tp += 1;
            }
        }
        points.push((tp as f32 / total as f32, tp as f32 / (rank + 1) as f32));
    }
    // Precision made monotone from the right, integrated over recall.
    let mut ap = 0.0;
    let mut best_precision = 0.0f32;
    let mut previous_recall = points.last().map_or(0.0, |p| p.0);
    for &(recall, precision) in points.iter().rev() {
        ap += (previous_recall - recall) * best_precision;
        best_precision = best_precision.max(precision);
        previous_recall = recall;
    }
    ap += previous_recall * best_precision;
    Some(ap)
}

/// Mean of [`average_precision`] over the classes `0..classes` that occur in `truths`, and the
/// per-class values (`None` for absent classes). Errors when the image counts differ.
pub fn mean_average_precision(
    predictions: &[Predictions],
    truths: &[Vec<Object>],
    classes: usize,
    iou_threshold: f32,
) -> Result<(f32, Vec<Option<f32>>)> {
    ensure!(
        predictions.len() == truths.len(),
        "{} images of predictions but {} of ground truth",
        predictions.len(),
        truths.len()
    );
    let per_class: Vec<Option<f32>> = (0..classes)
        .map(|c| average_precision(predictions, truths, c, iou_threshold))
        .collect();
    let present: Vec<f32> = per_class.iter().flatten().copied().collect();
    ensure!(!present.is_empty(), "no ground-truth objects to evaluate");
    Ok((
        present.iter().sum::<f32>() / present.len() as f32,
        per_class,
    ))
}

/// The object under the point `(x, y)` (same units as the boxes): the smallest box containing it
/// (edges included), or `None`. How a click picks an object.
pub fn object_at(boxes: &[BBox], x: f32, y: f32) -> Option<usize> {
    boxes
        .iter()
        .enumerate()
        .filter(|(_, b)| b.x1 <= x && x <= b.x2 && b.y1 <= y && y <= b.y2)
        .min_by(|a, b| a.1.area().total_cmp(&b.1.area()))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_boxes_and_areas() {
        let b = BBox::from_centre(2.0, 3.0, 2.0, 4.0);
        assert_eq!((b.x1, b.y1, b.x2, b.y2), (1.0, 1.0, 3.0, 5.0));
        assert_eq!(
            (b.width(), b.height(), b.area(), b.centre()),
            (2.0, 4.0, 8.0, (2.0, 3.0))
        );
        assert!(BBox::new(2.0, 0.0, 1.0, 1.0).is_err());
        assert!(BBox::new(f32::NAN, 0.0, 1.0, 1.0).is_err());
    }

    #[test]
    fn a_click_picks_the_smallest_box_under_it() {
        let boxes = [
            BBox::new(0.0, 0.0, 10.0, 10.0).unwrap(),
            BBox::new(2.0, 2.0, 4.0, 4.0).unwrap(),
        ];
        assert_eq!(object_at(&boxes, 3.0, 3.0), Some(1));
        assert_eq!(object_at(&boxes, 8.0, 8.0), Some(0));
        assert_eq!(object_at(&boxes, 11.0, 8.0), None);
    }

    #[test]
    fn shape_iou_compares_sizes_only() {
        assert_eq!(shape_iou((2.0, 1.0), (2.0, 1.0)), 1.0);
        assert_eq!(shape_iou((2.0, 1.0), (1.0, 2.0)), 1.0 / 3.0);
    }
}
