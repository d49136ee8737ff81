//! Handwritten digits for LeNet-5 (lectures 10 and 13): scikit-learn's 8x8 digits (values 0..16)
//! and the page's drawings turned into the same 32x32x1 input.
//!
//! `data/digits/train_lenet.py` trains on `lenet_input` of the bundled digits; the page draws on a
//! canvas and calls `drawing_to_digit` then `lenet_input`, so a drawing reaches the network in the
//! form it was trained on.

use anyhow::{ensure, Result};

/// Side of the 8x8 digits.
pub const DIGIT_SIDE: usize = 8;
/// Side of LeNet-5's input.
pub const LENET_SIDE: usize = 32;

/// Magic bytes of a digit set file (`www/models/digits-heldout.bin`, written by
/// `data/digits/train_lenet.py`): `DIG1`, then per digit one label byte and 64 pixel bytes
/// (0..16, row-major 8x8).
pub const DIGIT_SET_MAGIC: &[u8; 4] = b"DIG1";

/// One digit of a digit set: its label and its 8x8 pixels (0..16).
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledDigit {
    /// 0..=9.
    pub label: u8,
    /// 64 values, row-major, 0..16 like scikit-learn's.
    pub pixels: Vec<f32>,
}

/// Reads a digit set file (see [`DIGIT_SET_MAGIC`]). Errors name the cause: a missing magic, a
/// length that is not 4 + 65·n, a label above 9 or a pixel above 16.
pub fn parse_digit_set(bytes: &[u8]) -> Result<Vec<LabelledDigit>> {
    ensure!(
        bytes.len() >= 4 && &bytes[..4] == DIGIT_SET_MAGIC,
        "a digit set starts with the bytes DIG1"
    );
    let record = 1 + DIGIT_SIDE * DIGIT_SIDE;
    ensure!(
        (bytes.len() - 4).is_multiple_of(record),
        "a digit set has 4 + 65·n bytes, got {}",
        bytes.len()
    );
    bytes[4..]
        .chunks_exact(record)
        .enumerate()
        .map(|(i, r)| {
            ensure!(r[0] <= 9, "digit {i} has label {}, not 0..9", r[0]);
            ensure!(
                r[1..].iter().all(|&v| v <= 16),
                "digit {i} has a pixel above 16"
            );
            Ok(LabelledDigit {
                label: r[0],
                pixels: r[1..].iter().map(|&v| v as f32).collect(),
            })
        })
        .collect()
}

/// A digit set ready for the page: labels, the 8x8 digits one after the other, and LeNet-5's
/// inputs ([`lenet_input`]) one after the other.
#[derive(Clone, Debug, PartialEq)]
pub struct DigitSet {
    /// One label (0..=9) per digit.
    pub labels: Vec<u8>,
    /// `64 · n` pixels (0..16).
    pub digits: Vec<f32>,
    /// `1024 · n` values in 0..1, `[1, 32, 32]` each.
    pub inputs: Vec<f32>,
}

/// [`parse_digit_set`] and every digit as LeNet-5's input.
pub fn digit_set(bytes: &[u8]) -> Result<DigitSet> {
    let set = parse_digit_set(bytes)?;
    let mut inputs = Vec::with_capacity(set.len() * LENET_SIDE * LENET_SIDE);
    for d in &set {
        inputs.extend(lenet_input(&d.pixels)?);
    }
    Ok(DigitSet {
        labels: set.iter().map(|d| d.label).collect(),
        digits: set.iter().flat_map(|d| d.pixels.iter().copied()).collect(),
        inputs,
    })
}

/// An 8x8 digit (64 values, 0..16) → LeNet-5's `[1, 32, 32]` input in 0..1: every pixel divided
/// by 16 and repeated 4x4 (the training script's `np.kron`).
pub fn lenet_input(digit: &[f32]) -> Result<Vec<f32>> {
    ensure!(
        digit.len() == DIGIT_SIDE * DIGIT_SIDE,
        "a digit has 64 pixels (8x8), got {}",
        digit.len()
    );
    let scale = LENET_SIDE / DIGIT_SIDE;
    Ok((0..LENET_SIDE * LENET_SIDE)
        .map(|i| {
            let (y, x) = (i / LENET_SIDE / scale, i % LENET_SIDE / scale);
            digit[y * DIGIT_SIDE + x] / 16.0
        })
        .collect())
}

/// The smallest drawing that is read as a digit: its ink's bounding box must span at least this
/// fraction of the canvas's shorter side. A dot or a tiny scribble blown up to 8x8 looks like a
/// bold stroke, which LeNet-5 reads as a confident "1".
pub const MIN_INK_FRACTION: f32 = 1.0 / 6.0;

/// A drawing read by [`read_drawing`].
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    /// The 8x8 digit in 0..16 (see [`drawing_to_digit`]).
    pub digit: Vec<f32>,
    /// The longer side of the ink's bounding box, in canvas pixels.
    pub ink_side: usize,
    /// Whether the ink spans less than [`MIN_INK_FRACTION`] of the canvas: too small to read.
    pub too_small: bool,
}

/// [`drawing_to_digit`] with how large the ink is: `None` for a blank canvas; otherwise the digit,
/// the ink's extent and whether it is too small to be read (`ink_side < MIN_INK_FRACTION ·
/// min(width, height)`).
pub fn read_drawing(rgba: &[u8], width: usize, height: usize) -> Result<Option<Drawing>> {
    let Some((digit, ink_side)) = digit_and_extent(rgba, width, height)? else {
        return Ok(None);
    };
    let too_small = (ink_side as f32) < MIN_INK_FRACTION * width.min(height) as f32;
    Ok(Some(Drawing {
        digit,
        ink_side,
        too_small,
    }))
}

/// A drawing (`width × height` RGBA, dark or coloured ink on a light background, or light on
/// dark) → an 8x8 digit in 0..16 like scikit-learn's: the ink's bounding box, made square and
/// given a margin of one eighth of its side, is averaged down to 8x8 and scaled so that full ink is
/// 16. The ink is the difference from the background colour (the corner pixel). `None` when the
/// canvas is blank.
pub fn drawing_to_digit(rgba: &[u8], width: usize, height: usize) -> Result<Option<Vec<f32>>> {
    Ok(digit_and_extent(rgba, width, height)?.map(|(digit, _)| digit))
}

fn digit_and_extent(rgba: &[u8], width: usize, height: usize) -> Result<Option<(Vec<f32>, usize)>> {
    ensure!(
        width >= 1 && height >= 1 && rgba.len() == width * height * 4,
        "RGBA data has {} bytes but a {width}x{height} image needs {}",
        rgba.len(),
        width * height * 4
    );
    let luma = |i: usize| {
        0.299 * rgba[4 * i] as f32 + 0.587 * rgba[4 * i + 1] as f32 + 0.114 * rgba[4 * i + 2] as f32
    };
    let background = luma(0);
    let ink: Vec<f32> = (0..width * height)
        .map(|i| ((luma(i) - background).abs() / 255.0).min(1.0))
        .collect();
    let (mut x1, mut y1, mut x2, mut y2) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if ink[y * width + x] > 0.1 {
                (x1, y1, x2, y2) = (x1.min(x), y1.min(y), x2.max(x), y2.max(y));
            }
        }
    }
    if x1 == usize::MAX {
        return Ok(None);
    }
    // A square around the ink's centre, with a margin, in canvas coordinates (may leave the canvas).
    let side = ((x2 - x1 + 1).max(y2 - y1 + 1) as f32 * 1.25).max(1.0);
    let (cx, cy) = ((x1 + x2 + 1) as f32 / 2.0, (y1 + y2 + 1) as f32 / 2.0);
    let (left, top) = (cx - side / 2.0, cy - side / 2.0);
    let cell = side / DIGIT_SIDE as f32;
    let mut digit = vec![0.0f32; DIGIT_SIDE * DIGIT_SIDE];
    for y in 0..height {
        for x in 0..width {
            let v = ink[y * width + x];
            if v == 0.0 {
                continue;
            }
            let gx = ((x as f32 + 0.5 - left) / cell).floor();
            let gy = ((y as f32 + 0.5 - top) / cell).floor();
            if (0.0..DIGIT_SIDE as f32).contains(&gx) && (0.0..DIGIT_SIDE as f32).contains(&gy) {
                digit[gy as usize * DIGIT_SIDE + gx as usize] += v;
            }
        }
    }
    let per_cell = cell * cell;
    for v in &mut digit {
        // Mean ink of the cell, strengthened (thin strokes cover little of a cell) and capped.
        *v = (*v / per_cell * 2.5 * 16.0).min(16.0);
    }
    Ok(Some((digit, (x2 - x1 + 1).max(y2 - y1 + 1))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dot on LeNet's 224-pixel pad is too small to read (it read as a confident "1"); a digit
    /// a third of the pad tall is not.
    #[test]
    fn a_dot_is_too_small_to_read() {
        let side = 224;
        let pad = |y0: usize, y1: usize, x0: usize, x1: usize| {
            let mut rgba = vec![255u8; side * side * 4];
            for y in y0..y1 {
                for x in x0..x1 {
                    rgba[4 * (y * side + x)..4 * (y * side + x) + 3].fill(0);
                }
            }
            rgba
        };
        let dot = read_drawing(&pad(100, 106, 100, 106), side, side)
            .unwrap()
            .unwrap();
        assert_eq!((dot.ink_side, dot.too_small), (6, true));
        let stroke = read_drawing(&pad(60, 160, 100, 110), side, side)
            .unwrap()
            .unwrap();
        assert_eq!((stroke.ink_side, stroke.too_small), (100, false));
        assert_eq!(read_drawing(&pad(0, 0, 0, 0), side, side).unwrap(), None);
    }

    #[test]
    fn lenet_input_repeats_each_pixel_four_by_four() {
        let mut digit = vec![0.0; 64];
        digit[9] = 16.0; // row 1, column 1
        let input = lenet_input(&digit).unwrap();
        assert_eq!(input.len(), 1024);
        assert_eq!(input.iter().filter(|&&v| v == 1.0).count(), 16);
        assert_eq!(input[4 * 32 + 4], 1.0);
        assert_eq!(input[4 * 32 + 8], 0.0);
        assert!(lenet_input(&[0.0; 63]).is_err());
    }

    #[test]
    fn a_drawn_bar_becomes_a_centred_vertical_stroke() {
        // A white canvas with a black vertical bar 4 wide, 40 tall.
        let (w, h) = (60, 60);
        let mut rgba = vec![255u8; w * h * 4];
        for y in 10..50 {
            for x in 28..32 {
                rgba[(y * w + x) * 4..][..3].copy_from_slice(&[0, 0, 0]);
            }
        }
        let digit = drawing_to_digit(&rgba, w, h).unwrap().unwrap();
        // Columns 3-4 hold the ink, the outer columns none.
        for row in 1..7 {
            assert!(digit[row * 8 + 3] + digit[row * 8 + 4] > 8.0, "{digit:?}");
            assert_eq!(digit[row * 8], 0.0);
            assert_eq!(digit[row * 8 + 7], 0.0);
        }
        assert_eq!(drawing_to_digit(&[255; 16], 2, 2).unwrap(), None);
    }
}
