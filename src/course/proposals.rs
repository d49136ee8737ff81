//! Lecture 32: region proposals, R-CNN's idea on the generated shapes scenes. A segmentation
//! splits the image into blobs (pixels whose colour stands out from the background, joined to
//! their edge neighbours of nearly the same colour: the graph segmentation R-CNN's selective
//! search starts from, in one step), each blob proposes one square region around it, and the
//! lecture 26 classifier (the sliding-windows network at its 14×14 window) labels each region.
//! Only a few regions are classified, where sliding windows classify every position.

use anyhow::{ensure, Context, Result};

use crate::core::engine::Model;
use crate::core::geometry::{check_tensor, shape_text};
use crate::core::image::resample_window;

/// The RGB distance (0..√3) from the background colour above which a pixel belongs to an
/// object. The scenes' objects are at least 0.35 from their background, whose noise stays within
/// ±0.04 per channel (at most 0.07 in distance).
pub const FOREGROUND_DISTANCE: f32 = 0.2;

/// The largest RGB distance between two neighbouring pixels of one blob: the scenes paint each
/// shape in one colour, so two overlapping shapes split where their colours meet.
pub const SAME_COLOUR: f32 = 0.1;

/// Blobs of fewer pixels are noise, not regions worth classifying.
pub const MIN_BLOB_PIXELS: usize = 12;

/// The share of a region's side its blob spans: the classifier was trained on patches whose shape
/// spans 60 to 95 % of the patch (`scenes::patch`).
pub const FILL: f32 = 0.8;

/// A connected group of foreground pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Blob {
    /// Its pixels' extent `[x1, y1, x2, y2]`, corners in pixels (`x2`, `y2` exclusive).
    pub bbox: [usize; 4],
    /// How many pixels it holds.
    pub pixels: usize,
}

/// The image split into background and blobs.
#[derive(Clone, Debug, PartialEq)]
pub struct Segmentation {
    /// One label per pixel, row by row: 0 for the background, `k + 1` for pixels of `blobs[k]`
    /// (pixels of blobs too small to keep are background).
    pub labels: Vec<u32>,
    /// The blobs of at least [`MIN_BLOB_PIXELS`] pixels, in scan order of their first pixel.
    pub blobs: Vec<Blob>,
    /// The background colour: each channel's median over the image's border pixels.
    pub background: [f32; 3],
}

/// Splits an RGB `[3, h, w]` image (0..1) into background and blobs: a pixel is foreground when
/// its colour lies more than [`FOREGROUND_DISTANCE`] from the background colour (the median of the
/// border), and foreground pixels touching by an edge whose colours lie within [`SAME_COLOUR`]
/// form one blob.
pub fn segment(image: &[f32], [h, w]: [usize; 2]) -> Result<Segmentation> {
    check_tensor("image", image, &[3, h, w])?;
    ensure!(
        h >= 2 && w >= 2,
        "an image of {h}x{w} has no border to read the background from"
    );
    let plane = h * w;
    let border: Vec<usize> = (0..plane)
        .filter(|&i| i / w == 0 || i / w == h - 1 || i % w == 0 || i % w == w - 1)
        .collect();
    let mut background = [0.0f32; 3];
    for (c, b) in background.iter_mut().enumerate() {
        let mut values: Vec<f32> = border.iter().map(|&i| image[c * plane + i]).collect();
        values.sort_by(f32::total_cmp);
        *b = values[values.len() / 2];
    }
    let colour = |i: usize| [image[i], image[plane + i], image[2 * plane + i]];
    let distance = |a: [f32; 3], b: [f32; 3]| -> f32 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f32>()
            .sqrt()
    };
    let foreground: Vec<bool> = (0..plane)
        .map(|i| distance(colour(i), background) > FOREGROUND_DISTANCE)
        .collect();
    let mut labels = vec![0u32; plane];
    let mut blobs = Vec::new();
    let mut stack = Vec::new();
    let mut seen = vec![false; plane];
    for start in 0..plane {
        if !foreground[start] || seen[start] {
            continue;
        }
        // Flood fill of one component, remembering its pixels to label them if it is kept.
        let mut members = Vec::new();
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            members.push(i);
            let (y, x) = (i / w, i % w);
            let neighbours = [
                (y > 0).then(|| i - w),
                (y + 1 < h).then(|| i + w),
                (x > 0).then(|| i - 1),
                (x + 1 < w).then(|| i + 1),
            ];
            for j in neighbours.into_iter().flatten() {
                if foreground[j] && !seen[j] && distance(colour(i), colour(j)) <= SAME_COLOUR {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        if members.len() < MIN_BLOB_PIXELS {
            continue;
        }
        let mut bbox = [w, h, 0, 0];
        let label = blobs.len() as u32 + 1;
        for &i in &members {
            let (y, x) = (i / w, i % w);
            bbox = [
                bbox[0].min(x),
                bbox[1].min(y),
                bbox[2].max(x + 1),
                bbox[3].max(y + 1),
            ];
            labels[i] = label;
        }
        blobs.push(Blob {
            bbox,
            pixels: members.len(),
        });
    }
    Ok(Segmentation {
        labels,
        blobs,
        background,
    })
}

/// The region a blob proposes: the square centred on its box whose side is the box's longer side
/// divided by [`FILL`], `[x1, y1, x2, y2]` in pixels (it may reach past the image, whose edge
/// pixels then repeat).
pub fn region(blob: &Blob) -> [f32; 4] {
    let [x1, y1, x2, y2] = blob.bbox.map(|v| v as f32);
    let side = (x2 - x1).max(y2 - y1) / FILL;
    let (cx, cy) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
    [
        cx - side / 2.0,
        cy - side / 2.0,
        cx + side / 2.0,
        cy + side / 2.0,
    ]
}

/// One proposed region and the classifier's verdict on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    /// The region, `[x1, y1, x2, y2]` in pixels ([`region`]).
    pub region: [f32; 4],
    /// The classifier's output for the region resized to its window: one probability per class.
    pub probabilities: Vec<f32>,
    /// The most probable class.
    pub class: usize,
}

/// R-CNN's pipeline on an RGB `[3, h, w]` image: [`segment`], one [`region`] per blob, each
/// resampled to the window of `classifier` (input `[1, 3, n, n]`, output `[1, k, 1, 1]`: lecture
/// 26's network at its window size) and classified. Returns the segmentation and the proposals,
/// in blob order.
pub fn propose(
    classifier: &Model,
    image: &[f32],
    [h, w]: [usize; 2],
) -> Result<(Segmentation, Vec<Proposal>)> {
    let &[1, 3, n, m] = classifier.input_shape() else {
        anyhow::bail!(
            "the classifier's input must be one RGB window [1, 3, n, n], not {}",
            shape_text(classifier.input_shape())
        );
    };
    ensure!(n == m, "the classifier's window {n}x{m} is not square");
    let segmentation = segment(image, [h, w])?;
    let proposals = segmentation
        .blobs
        .iter()
        .map(|blob| {
            let region = region(blob);
            let window = resample_window(image, [3, h, w], region, n)?;
            let out = classifier.run(&window)?;
            ensure!(
                out.data.len() >= 2 && out.shape.iter().skip(2).all(|&d| d == 1),
                "the classifier gives {} for one window, not one probability per class",
                shape_text(&out.shape)
            );
            let class = (0..out.data.len())
                .max_by(|&a, &b| out.data[a].total_cmp(&out.data[b]))
                .context("no class")?;
            Ok(Proposal {
                region,
                probabilities: out.data,
                class,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((segmentation, proposals))
}
