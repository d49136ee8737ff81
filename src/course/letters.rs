//! Generated handwritten-looking letters for transfer learning (lecture 20): new classes LeNet-5
//! never saw, drawn as strokes with a random slant, shear, size, thickness and wobble, then turned
//! into LeNet-5's input exactly as the page's drawings are (`digits::drawing_to_digit`, then
//! `digits::lenet_input`), so generated and drawn letters look alike to the network.

use anyhow::{ensure, Context, Result};

use crate::core::rng::Rng;
use crate::course::digits::{drawing_to_digit, lenet_input};

/// The letters, in label order.
pub const LETTERS: [char; 4] = ['A', 'H', 'T', 'X'];

/// Side of the canvas a letter is drawn on before it is reduced like a drawing.
const CANVAS: usize = 64;

/// A stroke from one point to another in the unit square (x right, y down).
type Stroke = [[f32; 2]; 2];

fn strokes(letter: char) -> Option<&'static [Stroke]> {
    Some(match letter {
        'A' => &[
            [[0.1, 1.0], [0.5, 0.0]],
            [[0.5, 0.0], [0.9, 1.0]],
            [[0.28, 0.6], [0.72, 0.6]],
        ],
        'H' => &[
            [[0.15, 0.0], [0.15, 1.0]],
            [[0.85, 0.0], [0.85, 1.0]],
            [[0.15, 0.5], [0.85, 0.5]],
        ],
        'T' => &[[[0.05, 0.0], [0.95, 0.0]], [[0.5, 0.0], [0.5, 1.0]]],
        'X' => &[[[0.1, 0.0], [0.9, 1.0]], [[0.9, 0.0], [0.1, 1.0]]],
        _ => return None,
    })
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (a[0] + t * dx, a[1] + t * dy);
    ((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt()
}

/// One letter (see [`LETTERS`]) drawn by hand, as RGBA bytes of a `64 × 64` canvas with black
/// ink on white: every stroke end moved by up to 0.06, the glyph scaled by 0.55–0.8, rotated by up
/// to ±12°, sheared by up to ±0.2 and placed near the centre, strokes 3–7 pixels thick.
pub fn draw_letter(letter: char, rng: &mut Rng) -> Result<Vec<u8>> {
    let strokes = strokes(letter).with_context(|| {
        format!("there is no generated letter {letter:?}; the letters are {LETTERS:?}")
    })?;
    let jitter =
        |rng: &mut Rng, p: [f32; 2]| [p[0] + rng.range(-0.06, 0.06), p[1] + rng.range(-0.06, 0.06)];
    let (sx, sy) = (rng.range(0.55, 0.8), rng.range(0.6, 0.8));
    let (angle, shear) = (rng.range(-12.0, 12.0).to_radians(), rng.range(-0.2, 0.2));
    let (cx, cy) = (rng.range(0.45, 0.55), rng.range(0.45, 0.55));
    let thickness = rng.range(3.0, 7.0);
    let place = |p: [f32; 2]| {
        let (x, y) = ((p[0] - 0.5) * sx, (p[1] - 0.5) * sy);
        let x = x + shear * y;
        let (x, y) = (
            x * angle.cos() - y * angle.sin(),
            x * angle.sin() + y * angle.cos(),
        );
        [(cx + x) * CANVAS as f32, (cy + y) * CANVAS as f32]
    };
    let segments: Vec<Stroke> = strokes
        .iter()
        .map(|[a, b]| [place(jitter(rng, *a)), place(jitter(rng, *b))])
        .collect();
    let mut rgba = vec![255u8; CANVAS * CANVAS * 4];
    for y in 0..CANVAS {
        for x in 0..CANVAS {
            let p = [x as f32 + 0.5, y as f32 + 0.5];
            let d = segments
                .iter()
                .map(|[a, b]| segment_distance(p, *a, *b))
                .fold(f32::INFINITY, f32::min);
            // Ink 1 inside the stroke, fading to 0 over one pixel at its edge.
            let ink = (thickness / 2.0 + 0.5 - d).clamp(0.0, 1.0);
            let level = (255.0 * (1.0 - ink)).round() as u8;
            rgba[(y * CANVAS + x) * 4..][..3].fill(level);
        }
    }
    Ok(rgba)
}

/// A set of generated letters: `per_class` of each of [`LETTERS`], interleaved (example `i` of
/// class `c` at index `i · 4 + c`, so the first `4n` are `n` of each class), from `seed`. Returns
/// the labels (indices into [`LETTERS`]) and the LeNet-5 inputs, `[1, 32, 32]` each, one after
/// the other.
pub fn letter_set(per_class: usize, seed: u64) -> Result<(Vec<usize>, Vec<f32>)> {
    ensure!(
        (1..=1000).contains(&per_class),
        "a letter set has 1 to 1000 letters per class, not {per_class}"
    );
    let mut rng = Rng::new(seed);
    let mut labels = Vec::with_capacity(per_class * LETTERS.len());
    let mut inputs = Vec::with_capacity(per_class * LETTERS.len() * 1024);
    for _ in 0..per_class {
        for (label, &letter) in LETTERS.iter().enumerate() {
            let rgba = draw_letter(letter, &mut rng)?;
            let digit = drawing_to_digit(&rgba, CANVAS, CANVAS)?
                .context("a generated letter came out blank")?;
            labels.push(label);
            inputs.extend(lenet_input(&digit)?);
        }
    }
    Ok((labels, inputs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_sets_are_deterministic_interleaved_and_varied() {
        let (labels, inputs) = letter_set(3, 7).unwrap();
        assert_eq!(labels, [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
        assert_eq!(inputs.len(), 12 * 1024);
        assert_eq!(letter_set(3, 7).unwrap().1, inputs);
        assert_ne!(letter_set(3, 8).unwrap().1, inputs);
        // Two A's differ; every letter has ink and stays in 0..1.
        assert_ne!(inputs[..1024], inputs[4 * 1024..5 * 1024]);
        for letter in inputs.chunks_exact(1024) {
            assert!(letter.iter().all(|v| (0.0..=1.0).contains(v)));
            assert!(letter.iter().filter(|&&v| v > 0.5).count() > 30);
        }
        let e = draw_letter('Q', &mut Rng::new(0)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "there is no generated letter 'Q'; the letters are ['A', 'H', 'T', 'X']"
        );
    }
}
