//! Inputs and filters for the 1D and 3D widgets (lecture 43) and for pooling demos: a synthetic
//! heartbeat trace, a volume holding a ball, pseudo-random activations, and named 1D/3D filters.
//! Everything is generated here, deterministically, so the page and the tests see the same numbers.

use anyhow::{bail, ensure, Result};

use crate::core::geometry::{check_output_size, MAX_SIDE};
use crate::core::image;
use crate::core::rng::Rng;
use crate::course::scenes;

/// A synthetic heartbeat (ECG-like) trace of `n` samples in millivolts: a flat baseline with one
/// beat every 7 samples shaped P (small bump), Q (dip), R (tall spike), S (dip), T (wide bump).
/// With `n = 14` it holds two beats, the lecture's 14-sample signal.
pub fn heartbeat(n: usize) -> Result<Vec<f32>> {
    ensure!(
        (1..=MAX_SIDE).contains(&n),
        "a signal needs 1 to {MAX_SIDE} samples, got {n}"
    );
    // One beat, sample by sample: baseline, P, baseline, Q, R, S, T.
    const BEAT: [f32; 7] = [0.0, 0.2, 0.0, -0.3, 1.6, -0.5, 0.4];
    Ok((0..n).map(|i| BEAT[i % BEAT.len()]).collect())
}

/// A `n × n × n` volume (`[1, n, n, n]`, depth, height, width) holding a ball of value 1 centred
/// in the volume with radius `0.35·n`, on 0 — a 3D "image" whose edges a 3D filter can find.
pub fn ball(n: usize) -> Result<Vec<f32>> {
    ensure!(
        (1..=256).contains(&n),
        "a volume side must be 1 to 256, got {n}"
    );
    let centre = (n as f32 - 1.0) / 2.0;
    let radius = 0.35 * n as f32;
    let mut out = Vec::with_capacity(n * n * n);
    for z in 0..n {
        for y in 0..n {
            for x in 0..n {
                let d = [z, y, x].map(|v| v as f32 - centre);
                let inside = d.iter().map(|v| v * v).sum::<f32>() <= radius * radius;
                out.push(if inside { 1.0 } else { 0.0 });
            }
        }
    }
    Ok(out)
}

/// `c × h × w` pseudo-random non-negative activations in `0..10` ([`Rng`], seed 1), like the output
/// of a ReLU layer — the input of the global-average-pooling demo (lecture 09: 7x7x1000 →
/// 1x1x1000) and of lecture 16's 6x6x32 example.
pub fn activations(c: usize, h: usize, w: usize) -> Result<Vec<f32>> {
    check_output_size("activations", &[c, h, w])?;
    let mut rng = Rng::new(1);
    Ok((0..c * h * w).map(|_| rng.range(0.0, 10.0)).collect())
}

/// A sample input for a model whose input is `[1, c, h, w]`, to show its feature maps: a grey
/// circle (values in 0..1) for one channel, a generated scene ([`crate::course::scenes`], seed 3)
/// resized to `h × w` for three. Errors for other shapes.
pub fn model_input([n, c, h, w]: [usize; 4]) -> Result<Vec<f32>> {
    ensure!(
        n == 1 && (c == 1 || c == 3),
        "sample inputs are [1, 1, h, w] or [1, 3, h, w], got [{n}, {c}, {h}, {w}]"
    );
    if c == 1 {
        let side = h.max(w);
        let grey = image::generate("circle", side)?;
        let full = image::crop(&grey, [1, side, side], 0, 0, h, w)?;
        return Ok(full.iter().map(|v| v / 255.0).collect());
    }
    let scene = scenes::generate(3, scenes::SCENE_SIZE)?;
    let rgba = image::rgb_to_rgba(&scene.image, scene.size, scene.size)?;
    image::rgba_to_rgb_resized(&rgba, scene.size, scene.size, w, h)
}

/// A picture (`width × height` RGBA: a bundled photo, the learner's image) as a model's input of
/// `shape` `[1, c, h, w]`, values 0..1: resized bilinearly to `h × w`; for one channel the
/// BT.601 luma of the three, for three R, G, B.
pub fn model_input_from_rgba(
    rgba: &[u8],
    width: usize,
    height: usize,
    [n, c, h, w]: [usize; 4],
) -> Result<Vec<f32>> {
    ensure!(
        n == 1 && (c == 1 || c == 3),
        "a picture can feed inputs [1, 1, h, w] or [1, 3, h, w], not [{n}, {c}, {h}, {w}]"
    );
    let rgb = image::rgba_to_rgb_resized(rgba, width, height, w, h)?;
    if c == 3 {
        return Ok(rgb);
    }
    let plane = h * w;
    Ok((0..plane)
        .map(|i| 0.299 * rgb[i] + 0.587 * rgb[plane + i] + 0.114 * rgb[2 * plane + i])
        .collect())
}

/// A named filter for signals or volumes: `weights` in row-major order of `shape`.
pub struct NdFilter {
    /// Short name used by the page and the API.
    pub name: &'static str,
    /// What the page shows.
    pub label: &'static str,
    /// Kernel sizes per spatial axis (`[5]` or `[5, 5, 5]`).
    pub shape: &'static [usize],
}

/// The 1D filters of length 5.
pub const FILTERS_1D: &[NdFilter] = &[
    NdFilter {
        name: "smooth",
        label: "Moving average (1/5 each)",
        shape: &[5],
    },
    NdFilter {
        name: "slope",
        label: "Slope (−1 −2 0 2 1)",
        shape: &[5],
    },
    NdFilter {
        name: "spike",
        label: "Spike detector (−1 −1 4 −1 −1)",
        shape: &[5],
    },
];

/// The 3D filters of size 5x5x5.
pub const FILTERS_3D: &[NdFilter] = &[
    NdFilter {
        name: "average",
        label: "Average over 5×5×5",
        shape: &[5, 5, 5],
    },
    NdFilter {
        name: "depth-edge",
        label: "Edge along depth (front − back)",
        shape: &[5, 5, 5],
    },
    NdFilter {
        name: "centre",
        label: "Centre minus surround",
        shape: &[5, 5, 5],
    },
];

/// The weights of 1D or 3D filter `name` (see [`FILTERS_1D`], [`FILTERS_3D`]).
pub fn nd_filter(name: &str) -> Result<Vec<f32>> {
    Ok(match name {
        "smooth" => vec![0.2; 5],
        "slope" => vec![-1.0, -2.0, 0.0, 2.0, 1.0],
        "spike" => vec![-1.0, -1.0, 4.0, -1.0, -1.0],
        "average" => vec![1.0 / 125.0; 125],
        // +1 on the front two slices, −1 on the back two, 0 in the middle (per 25 voxels).
        "depth-edge" => (0..125)
            .map(|i| match i / 25 {
                0 | 1 => 1.0 / 50.0,
                3 | 4 => -1.0 / 50.0,
                _ => 0.0,
            })
            .collect(),
        "centre" => (0..125)
            .map(|i| if i == 62 { 1.0 } else { -1.0 / 124.0 })
            .collect(),
        other => bail!("unknown 1D/3D filter {other:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_feeds_grey_and_colour_models() {
        // 2×1 RGBA: a red and a white pixel, to [1, 3, 1, 2] and [1, 1, 1, 2].
        let rgba = [255, 0, 0, 255, 255, 255, 255, 255];
        assert_eq!(
            model_input_from_rgba(&rgba, 2, 1, [1, 3, 1, 2]).unwrap(),
            [1.0, 1.0, 0.0, 1.0, 0.0, 1.0]
        );
        let grey = model_input_from_rgba(&rgba, 2, 1, [1, 1, 1, 2]).unwrap();
        assert!((grey[0] - 0.299).abs() < 1e-6 && (grey[1] - 1.0).abs() < 1e-6);
        assert!(model_input_from_rgba(&rgba, 2, 1, [1, 2, 1, 2]).is_err());
    }

    #[test]
    fn filters_have_their_shapes_and_the_edge_filters_sum_to_zero() {
        for f in FILTERS_1D.iter().chain(FILTERS_3D) {
            let w = nd_filter(f.name).unwrap();
            assert_eq!(w.len(), f.shape.iter().product::<usize>(), "{}", f.name);
        }
        for name in ["slope", "spike", "depth-edge", "centre"] {
            let sum: f32 = nd_filter(name).unwrap().iter().sum();
            assert!(sum.abs() < 1e-5, "{name} sums to {sum}");
        }
    }

    #[test]
    fn samples_are_deterministic_and_shaped() {
        assert_eq!(heartbeat(14).unwrap().len(), 14);
        let ball = ball(14).unwrap();
        assert_eq!(ball.len(), 14 * 14 * 14);
        assert!(ball[0] == 0.0 && ball[7 * 196 + 7 * 14 + 7] == 1.0);
        let a = activations(2, 3, 3).unwrap();
        assert_eq!(a, activations(2, 3, 3).unwrap());
        assert!(a.iter().all(|v| (0.0..10.0).contains(v)));
    }
}
