//! Lecture 22, "doing well on benchmarks": two tricks that buy a little accuracy with a lot of
//! computation at test time. An ensemble averages the outputs of several networks trained alike
//! from different random starts; multi-crop averages one network's outputs over shifted (and
//! mirrored) copies of the input. Both are measured on the held-out digits with LeNet-5 and the
//! networks `data/digits/train_lenet.py --seed K` trained.

use anyhow::{ensure, Result};

use crate::core::engine::Model;
use crate::core::geometry::shape_text;
use crate::core::image::{pad_zeros, ten_crops};
use crate::course::digits::{DigitSet, DIGIT_SIDE, LENET_SIDE};

/// Zeros added around LeNet-5's 32×32 input before cropping it back to 32×32: one pixel of the 8×8
/// digit (4 input pixels), the shift the training script's augmentation uses, so every crop is a
/// picture like those the networks were trained on.
pub const CROP_SHIFT: usize = LENET_SIDE / DIGIT_SIDE;

/// The ten crops of a digit's LeNet-5 input `[1, 32, 32]` ([`ten_crops`] of the input padded by
/// [`CROP_SHIFT`] zeros): the digit itself (the centre crop), shifted by one digit pixel towards
/// each corner, and those five mirrored.
pub fn digit_crops(input: &[f32]) -> Result<Vec<Vec<f32>>> {
    let padded = pad_zeros(input, [1, LENET_SIDE, LENET_SIDE], CROP_SHIFT)?;
    let side = LENET_SIDE + 2 * CROP_SHIFT;
    ten_crops(&padded, [1, side, side], [LENET_SIDE, LENET_SIDE])
}

/// Held-out accuracies of every way of answering that lecture 22 compares, and what each costs.
#[derive(Clone, Debug, PartialEq)]
pub struct EnsembleReport {
    /// Digits judged.
    pub count: usize,
    /// Each network alone, on the digit as it is: fraction right.
    pub members: Vec<f64>,
    /// The average of all networks' probabilities.
    pub ensemble: f64,
    /// The first network averaged over the centre and 4 shifted crops (no mirrors).
    pub five_crops: f64,
    /// The first network averaged over all ten crops (with the mirrors).
    pub ten_crops: f64,
    /// Every network over the five unmirrored crops, all averaged.
    pub ensemble_five_crops: f64,
    /// Digits the ensemble gets right that the first network alone gets wrong, and the reverse.
    pub fixed_by_ensemble: usize,
    pub broken_by_ensemble: usize,
}

/// Runs every model of `models` (each LeNet-5-like: input `[1, 1, 32, 32]`, output `[1, k]` class
/// probabilities) on every crop of [`digit_crops`] of every digit of `set`, and scores each way of
/// combining them by its fraction of right answers (the class of highest mean probability, ties to
/// the lower class). `10 · models.len() · n` runs for `n` digits.
pub fn evaluate(models: &[&Model], set: &DigitSet) -> Result<EnsembleReport> {
    let n = set.labels.len();
    let per = LENET_SIDE * LENET_SIDE;
    ensure!(!models.is_empty(), "an ensemble needs at least one network");
    for (i, m) in models.iter().enumerate() {
        ensure!(
            m.input_shape() == [1, 1, LENET_SIDE, LENET_SIDE],
            "network {i} takes {}, not one digit [1, 1, 32, 32] like LeNet-5",
            shape_text(m.input_shape())
        );
    }
    let crops = set
        .inputs
        .chunks_exact(per)
        .map(digit_crops)
        .collect::<Result<Vec<_>>>()?;
    // probs[m][k]: network m on crop k of every digit, `[n, classes]`.
    let mut probs = Vec::with_capacity(models.len());
    let mut classes = 0;
    for (i, m) in models.iter().enumerate() {
        let mut by_crop = vec![Vec::new(); 10];
        for digit in &crops {
            for (k, crop) in digit.iter().enumerate() {
                let out = m.run(crop)?;
                ensure!(
                    out.shape.len() == 2
                        && out.shape[0] == 1
                        && (classes == 0 || out.shape[1] == classes),
                    "network {i} answered {}, not [1, classes] like the others",
                    shape_text(&out.shape)
                );
                classes = out.shape[1];
                by_crop[k].extend(out.data);
            }
        }
        probs.push(by_crop);
    }
    // The fraction of digits whose mean probability over `(network, crop)` pairs peaks at the label.
    let right = |pairs: &[(usize, usize)], digit: usize| -> bool {
        let mean: Vec<f32> = (0..classes)
            .map(|c| {
                pairs
                    .iter()
                    .map(|&(m, k)| probs[m][k][digit * classes + c])
                    .sum()
            })
            .collect();
        let best = (0..classes).fold(0, |b, c| if mean[c] > mean[b] { c } else { b });
        best == usize::from(set.labels[digit])
    };
    let accuracy =
        |pairs: &[(usize, usize)]| (0..n).filter(|&d| right(pairs, d)).count() as f64 / n as f64;
    let all: Vec<usize> = (0..models.len()).collect();
    let centre_of_all: Vec<_> = all.iter().map(|&m| (m, 0)).collect();
    let five_of_all: Vec<_> = all
        .iter()
        .flat_map(|&m| (0..5).map(move |k| (m, k)))
        .collect();
    let first_alone = [(0, 0)];
    Ok(EnsembleReport {
        count: n,
        members: all.iter().map(|&m| accuracy(&[(m, 0)])).collect(),
        ensemble: accuracy(&centre_of_all),
        five_crops: accuracy(&(0..5).map(|k| (0, k)).collect::<Vec<_>>()),
        ten_crops: accuracy(&(0..10).map(|k| (0, k)).collect::<Vec<_>>()),
        ensemble_five_crops: accuracy(&five_of_all),
        fixed_by_ensemble: (0..n)
            .filter(|&d| right(&centre_of_all, d) && !right(&first_alone, d))
            .count(),
        broken_by_ensemble: (0..n)
            .filter(|&d| !right(&centre_of_all, d) && right(&first_alone, d))
            .count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_crops_shift_by_one_digit_pixel_and_mirror() {
        // One lit digit pixel at (row 2, column 3) → input pixels rows 8..12, columns 12..16.
        let mut digit = vec![0.0; 64];
        digit[2 * 8 + 3] = 16.0;
        let input = crate::course::digits::lenet_input(&digit).unwrap();
        let crops = digit_crops(&input).unwrap();
        assert_eq!(crops.len(), 10);
        assert_eq!(crops[0], input, "the centre crop is the digit itself");
        let lit = |c: &[f32]| c.iter().position(|&v| v > 0.0).map(|i| (i / 32, i % 32));
        // Top-left crop: the picture moves 4 pixels down and right.
        assert_eq!(lit(&crops[1]), Some((12, 16)));
        assert_eq!(lit(&crops[4]), Some((4, 8)));
        // The mirrored centre: columns 12..16 become 16..20.
        assert_eq!(lit(&crops[5]), Some((8, 16)));
    }
}
