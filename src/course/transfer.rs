//! Transfer learning (lecture 20) in plain Rust: a new softmax layer trained on features a frozen
//! network computed (cached once per example), and how its accuracy grows with the number of
//! examples.
//!
//! Features are rows of `dim` values, one per example, one after the other; labels are class
//! indices `0..classes`.

use anyhow::{ensure, Result};

/// Most classes a new softmax layer takes.
pub const MAX_CLASSES: usize = 1000;

/// Most passes over the training set a page may ask for (plain-Rust training in the browser).
pub const MAX_EPOCHS: usize = 10_000;

/// How the softmax layer is trained: full-batch gradient descent on the mean cross-entropy plus
/// `l2 / 2 · ‖W‖²`, from zero weights (so training is deterministic).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainOptions {
    /// Passes over the training set.
    pub epochs: usize,
    /// Learning rate.
    pub rate: f32,
    /// Weight decay.
    pub l2: f32,
}

impl Default for TrainOptions {
    /// 200 epochs at rate 0.5 with `l2` 0.01: converges on every cut of LeNet-5 tested.
    fn default() -> Self {
        TrainOptions {
            epochs: 200,
            rate: 0.5,
            l2: 0.01,
        }
    }
}

/// A trained softmax layer over standardised features: `p = softmax(W·((x − μ) / σ) + b)`, with
/// `μ`, `σ` the training features' mean and standard deviation (`σ` 1 where a feature is
/// constant).
#[derive(Clone, Debug, PartialEq)]
pub struct Softmax {
    /// Number of classes.
    pub classes: usize,
    /// Feature length.
    pub dim: usize,
    /// `[classes, dim]`, row-major.
    pub weights: Vec<f32>,
    /// `[classes]`.
    pub bias: Vec<f32>,
    mean: Vec<f32>,
    scale: Vec<f32>,
}

fn check(features: &[f32], dim: usize, labels: &[usize], classes: usize) -> Result<()> {
    ensure!(dim >= 1, "features need at least one value each");
    ensure!(
        features.len() == labels.len() * dim,
        "{} feature values are not {} examples of {dim}",
        features.len(),
        labels.len()
    );
    ensure!(
        features.iter().all(|v| v.is_finite()),
        "the features hold a value that is not finite"
    );
    if let Some(bad) = labels.iter().find(|&&l| l >= classes) {
        anyhow::bail!("label {bad} is not one of the {classes} classes");
    }
    Ok(())
}

fn softmax_in_place(z: &mut [f32]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

/// Trains a [`Softmax`] on `labels.len()` examples (`features`, `dim` values each) of `classes`
/// classes. Errors name the cause: no examples, lengths that disagree, a label out of range, a
/// value that is not finite, fewer than 2 classes.
pub fn train_softmax(
    features: &[f32],
    dim: usize,
    labels: &[usize],
    classes: usize,
    options: TrainOptions,
) -> Result<Softmax> {
    ensure!(
        (2..=MAX_CLASSES).contains(&classes),
        "a softmax needs from 2 to {MAX_CLASSES} classes, not {classes}"
    );
    ensure!(
        (1..=MAX_EPOCHS).contains(&options.epochs),
        "the number of epochs must be from 1 to {MAX_EPOCHS}, not {}",
        options.epochs
    );
    ensure!(
        options.rate.is_finite()
            && options.rate > 0.0
            && options.l2.is_finite()
            && options.l2 >= 0.0,
        "the learning rate must be a positive number and l2 a number ≥ 0, not {} and {}",
        options.rate,
        options.l2
    );
    ensure!(!labels.is_empty(), "there are no training examples");
    check(features, dim, labels, classes)?;
    let n = labels.len();
    let mut mean = vec![0f32; dim];
    for row in features.chunks_exact(dim) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v / n as f32;
        }
    }
    let mut scale = vec![0f32; dim];
    for row in features.chunks_exact(dim) {
        for ((s, v), m) in scale.iter_mut().zip(row).zip(&mean) {
            *s += (v - m).powi(2) / n as f32;
        }
    }
    for s in scale.iter_mut() {
        *s = if *s > 1e-12 { s.sqrt() } else { 1.0 };
    }
    let x: Vec<f32> = features
        .chunks_exact(dim)
        .flat_map(|row| {
            row.iter()
                .zip(&mean)
                .zip(&scale)
                .map(|((v, m), s)| (v - m) / s)
        })
        .collect();
    let mut model = Softmax {
        classes,
        dim,
        weights: vec![0.0; classes * dim],
        bias: vec![0.0; classes],
        mean,
        scale,
    };
    // The rate is per unit of feature variance summed over dim standardised features.
    let rate = options.rate / (dim as f32).sqrt();
    let mut grad_w = vec![0f32; classes * dim];
    let mut grad_b = vec![0f32; classes];
    let mut p = vec![0f32; classes];
    for _ in 0..options.epochs {
        grad_w.fill(0.0);
        grad_b.fill(0.0);
        for (row, &label) in x.chunks_exact(dim).zip(labels) {
            model.logits_standardised(row, &mut p);
            softmax_in_place(&mut p);
            p[label] -= 1.0;
            for (k, &e) in p.iter().enumerate() {
                grad_b[k] += e / n as f32;
                for (g, v) in grad_w[k * dim..(k + 1) * dim].iter_mut().zip(row) {
                    *g += e * v / n as f32;
                }
            }
        }
        for (w, g) in model.weights.iter_mut().zip(&grad_w) {
            *w -= rate * (g + options.l2 * *w);
        }
        for (b, g) in model.bias.iter_mut().zip(&grad_b) {
            *b -= rate * g;
        }
    }
    Ok(model)
}

impl Softmax {
    fn logits_standardised(&self, x: &[f32], out: &mut [f32]) {
        for (k, o) in out.iter_mut().enumerate() {
            let w = &self.weights[k * self.dim..(k + 1) * self.dim];
            *o = self.bias[k] + w.iter().zip(x).map(|(a, b)| a * b).sum::<f32>();
        }
    }

    /// Class probabilities for one `feature` of `dim` values.
    pub fn probabilities(&self, feature: &[f32]) -> Result<Vec<f32>> {
        ensure!(
            feature.len() == self.dim,
            "the feature has {} values but the layer was trained on {}",
            feature.len(),
            self.dim
        );
        let x: Vec<f32> = feature
            .iter()
            .zip(&self.mean)
            .zip(&self.scale)
            .map(|((v, m), s)| (v - m) / s)
            .collect();
        let mut p = vec![0.0; self.classes];
        self.logits_standardised(&x, &mut p);
        softmax_in_place(&mut p);
        Ok(p)
    }

    /// The most probable class of one `feature` (the first on a tie).
    pub fn predict(&self, feature: &[f32]) -> Result<usize> {
        let p = self.probabilities(feature)?;
        Ok((0..p.len())
            .rev()
            .max_by(|&a, &b| p[a].total_cmp(&p[b]))
            .unwrap_or(0))
    }

    /// Fraction of `labels.len()` examples (`features`) whose prediction is their label.
    pub fn accuracy(&self, features: &[f32], labels: &[usize]) -> Result<f32> {
        ensure!(!labels.is_empty(), "there are no test examples");
        check(features, self.dim, labels, self.classes)?;
        let mut right = 0;
        for (row, &label) in features.chunks_exact(self.dim).zip(labels) {
            right += usize::from(self.predict(row)? == label);
        }
        Ok(right as f32 / labels.len() as f32)
    }
}

/// Test accuracy of a softmax trained on the first `n` examples of each class of `train` (in the
/// order given), for every `n` of `sizes`: the learning curve of lecture 20's "how much data do
/// you have". Errors when a class has fewer than `n` training examples.
pub fn learning_curve(
    (train, train_labels): (&[f32], &[usize]),
    (test, test_labels): (&[f32], &[usize]),
    dim: usize,
    classes: usize,
    sizes: &[usize],
    options: TrainOptions,
) -> Result<Vec<(usize, f32)>> {
    check(train, dim, train_labels, classes)?;
    sizes
        .iter()
        .map(|&n| {
            let mut taken = vec![0; classes];
            let (mut x, mut y) = (Vec::new(), Vec::new());
            for (row, &label) in train.chunks_exact(dim).zip(train_labels) {
                if taken[label] < n {
                    taken[label] += 1;
                    x.extend_from_slice(row);
                    y.push(label);
                }
            }
            if let Some(c) = taken.iter().position(|&t| t < n) {
                anyhow::bail!(
                    "class {c} has {} training examples, fewer than {n}",
                    taken[c]
                );
            }
            let model = train_softmax(&x, dim, &y, classes, options)?;
            Ok((n, model.accuracy(test, test_labels)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two Gaussian-free, linearly separable clusters: the trained layer separates them and its
    /// probabilities sum to 1.
    #[test]
    fn a_softmax_learns_separable_classes() {
        let features = [0.0, 1.0, 0.1, 0.9, 1.0, 0.0, 0.9, 0.2, 0.5, 0.5];
        let labels = [0, 0, 1, 1, 0];
        let m = train_softmax(&features, 2, &labels, 2, TrainOptions::default()).unwrap();
        assert_eq!(m.predict(&[0.0, 1.0]).unwrap(), 0);
        assert_eq!(m.predict(&[1.0, 0.0]).unwrap(), 1);
        let p = m.probabilities(&[0.2, 0.3]).unwrap();
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(m.accuracy(&features, &labels).unwrap(), 1.0);
        let e = train_softmax(&features, 2, &[0, 0, 2, 1, 0], 2, TrainOptions::default());
        assert_eq!(
            e.unwrap_err().to_string(),
            "label 2 is not one of the 2 classes"
        );
        let e = m.probabilities(&[1.0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the feature has 1 values but the layer was trained on 2"
        );
    }

    #[test]
    fn learning_curves_take_the_first_examples_of_each_class() {
        // Class = sign of the first value; the second is noise, equal within each pair of
        // examples, so one example per class carries no noise to learn from.
        let train: Vec<f32> = (0..20)
            .flat_map(|i| {
                let noise = ((i / 2) as f32 * 1.7).sin();
                [if i % 2 == 0 { 1.0 } else { -1.0 }, noise]
            })
            .collect();
        let labels: Vec<usize> = (0..20).map(|i| i % 2).collect();
        let curve = learning_curve(
            (&train, &labels),
            (&train, &labels),
            2,
            2,
            &[1, 5, 10],
            TrainOptions::default(),
        )
        .unwrap();
        assert_eq!(curve, [(1, 1.0), (5, 1.0), (10, 1.0)]);
        let e = learning_curve(
            (&train, &labels),
            (&train, &labels),
            2,
            2,
            &[11],
            TrainOptions::default(),
        );
        assert_eq!(
            e.unwrap_err().to_string(),
            "class 0 has 10 training examples, fewer than 11"
        );
    }
}
