//! Face verification's mathematics (lectures 34-37) on encodings f(x): the distance
//! d(x1, x2) = ‖f(x1) − f(x2)‖², the triplet loss, verification against a threshold τ, one-shot
//! recognition in a database, the held-out verification accuracy at the best τ, and verification
//! as logistic regression on |f(x_i) − f(x_j)|.
//!
//! Encodings are rows of `dim` values, one after the other; labels are identities.

use anyhow::{ensure, Context, Result};

use crate::core::rng::Rng;

/// Most encodings whose pairs are all compared ([`verification_accuracy`]): 12.5 million pairs.
pub const MAX_ALL_PAIRS_SET: usize = 5_000;
/// Most encodings whose triplets are all searched ([`extreme_triplets`]): 8 million triplets.
pub const MAX_TRIPLET_SET: usize = 200;
/// Most balanced pairs drawn for training or testing ([`balanced_pairs`]).
pub const MAX_PAIRS: usize = 100_000;
/// Most passes of the pair classifier's training ([`train_pair_classifier`]).
pub const MAX_EPOCHS: usize = 10_000;

/// d(a, b) = ‖a − b‖² = Σ_k (a_k − b_k)² (lecture 35). Errors when the lengths differ.
pub fn squared_distance(a: &[f32], b: &[f32]) -> Result<f32> {
    ensure!(
        a.len() == b.len(),
        "encodings of {} and {} values cannot be compared",
        a.len(),
        b.len()
    );
    Ok(a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum())
}

/// How a triplet stands against the margin α (lecture 36).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TripletKind {
    /// d(A, N) ≥ d(A, P) + α: already satisfied, loss 0, nothing to learn.
    Easy,
    /// d(A, P) < d(A, N) < d(A, P) + α: the right order, but inside the margin.
    SemiHard,
    /// d(A, N) ≤ d(A, P): the negative is at least as close as the positive.
    Hard,
}

/// One triplet's distances and loss.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Triplet {
    /// d(A, P).
    pub positive: f32,
    /// d(A, N).
    pub negative: f32,
    /// L(A, P, N) = max(d(A, P) − d(A, N) + α, 0).
    pub loss: f32,
    /// Easy, semi-hard or hard.
    pub kind: TripletKind,
}

/// L(A, P, N) = max(‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + α, 0) for encodings `a`, `p`, `n` and
/// margin `alpha` ≥ 0, with the distances and the triplet's kind.
pub fn triplet_loss(a: &[f32], p: &[f32], n: &[f32], alpha: f32) -> Result<Triplet> {
    ensure!(
        alpha.is_finite() && alpha >= 0.0,
        "the margin α must be a number ≥ 0, got {alpha}"
    );
    let positive = squared_distance(a, p)?;
    let negative = squared_distance(a, n)?;
    let kind = if negative <= positive {
        TripletKind::Hard
    } else if negative < positive + alpha {
        TripletKind::SemiHard
    } else {
        TripletKind::Easy
    };
    Ok(Triplet {
        positive,
        negative,
        loss: (positive - negative + alpha).max(0.0),
        kind,
    })
}

fn rows(encodings: &[f32], dim: usize) -> Result<std::slice::ChunksExact<'_, f32>> {
    ensure!(dim >= 1, "encodings need at least one value");
    ensure!(
        encodings.len().is_multiple_of(dim),
        "{} values are not a whole number of encodings of {dim}",
        encodings.len()
    );
    Ok(encodings.chunks_exact(dim))
}

/// The easiest and the hardest triplet of a set, as index triples `[a, p, n]` with their
/// [`Triplet`]s; `None` when the set has no valid triplet (see [`extreme_triplets`]).
pub type ExtremeTriplets = Option<(([usize; 3], Triplet), ([usize; 3], Triplet))>;

/// The easiest and the hardest triplet of a labelled set (lecture 36's advice: train on hard
/// ones): over every (A, P, N) with A ≠ P of one identity and N of another, the one with the
/// smallest loss-before-clamping d(A, P) − d(A, N) + α and the one with the largest, as index
/// triples with their [`Triplet`]s. `None` when no identity has two encodings or there is only one
/// identity.
pub fn extreme_triplets(
    encodings: &[f32],
    dim: usize,
    labels: &[usize],
    alpha: f32,
) -> Result<ExtremeTriplets> {
    let rows = labelled_rows(encodings, dim, labels)?;
    ensure!(
        rows.len() <= MAX_TRIPLET_SET,
        "{} encodings make too many triplets to search; at most {MAX_TRIPLET_SET} are searched",
        rows.len()
    );
    let mut best: ExtremeTriplets = None;
    for a in 0..rows.len() {
        for p in (0..rows.len()).filter(|&p| p != a && labels[p] == labels[a]) {
            for n in (0..rows.len()).filter(|&n| labels[n] != labels[a]) {
                let t = triplet_loss(rows[a], rows[p], rows[n], alpha)?;
                let margin = t.positive - t.negative;
                let entry = ([a, p, n], t);
                best = Some(match best {
                    None => (entry, entry),
                    Some((easy, hard)) => (
                        if margin < easy.1.positive - easy.1.negative {
                            entry
                        } else {
                            easy
                        },
                        if margin > hard.1.positive - hard.1.negative {
                            entry
                        } else {
                            hard
                        },
                    ),
                });
            }
        }
    }
    Ok(best)
}

/// The encodings as rows, checked to have one label each.
fn labelled_rows<'a>(encodings: &'a [f32], dim: usize, labels: &[usize]) -> Result<Vec<&'a [f32]>> {
    let rows: Vec<&[f32]> = rows(encodings, dim)?.collect();
    ensure!(
        rows.len() == labels.len(),
        "{} encodings but {} labels",
        rows.len(),
        labels.len()
    );
    Ok(rows)
}

/// One-shot recognition (lectures 33-34): the database entry nearest to `encoding`, and whether it
/// is within τ.
#[derive(Clone, Debug, PartialEq)]
pub struct Recognition {
    /// d(encoding, entry) for every database entry, in order.
    pub distances: Vec<f32>,
    /// The nearest entry (the first on a tie), `None` for an empty database.
    pub nearest: Option<usize>,
    /// Whether the nearest distance is ≤ τ: recognised, or "not in the database".
    pub recognised: bool,
}

/// Compares `encoding` with every entry of `database` (`dim` values each) and recognises the
/// nearest when d ≤ `tau` (lecture 34's similarity function).
pub fn recognise(encoding: &[f32], database: &[f32], dim: usize, tau: f32) -> Result<Recognition> {
    ensure!(
        encoding.len() == dim,
        "the encoding has {} values, the database's have {dim}",
        encoding.len()
    );
    let distances = rows(database, dim)?
        .map(|e| squared_distance(encoding, e))
        .collect::<Result<Vec<_>>>()?;
    let nearest = (0..distances.len())
        .rev()
        .min_by(|&a, &b| distances[a].total_cmp(&distances[b]));
    Ok(Recognition {
        recognised: nearest.is_some_and(|i| distances[i] <= tau),
        nearest,
        distances,
    })
}

/// A one-shot database of encodings (lectures 33-36): one or more encodings per enrolled name, the
/// decisions the page shows (recognition 1:K, verification 1:1 against τ) and the triplets of its
/// entries. Encodings all have the database's dimension.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaceDatabase {
    dim: usize,
    names: Vec<String>,
    /// `names.len() · dim` values, entry after entry.
    encodings: Vec<f32>,
}

/// 1:1 verification (lecture 34, "is this X?"): the distance to the claimed person's nearest
/// enrolled encoding and whether it is within τ.
#[derive(Clone, Debug, PartialEq)]
pub struct Verification {
    /// Index of the claimed person's nearest entry.
    pub entry: usize,
    /// d(encoding, entry).
    pub distance: f32,
    /// `distance ≤ τ`.
    pub same: bool,
}

impl FaceDatabase {
    /// An empty database for encodings of `dim` values (128 for face-api's encoder).
    pub fn new(dim: usize) -> Result<Self> {
        ensure!(dim >= 1, "encodings need at least one value");
        Ok(FaceDatabase {
            dim,
            ..Default::default()
        })
    }

    /// The encodings' dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Enrolled entries.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether nobody is enrolled.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Each entry's name, in enrolment order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Entry `i`'s encoding.
    pub fn encoding(&self, i: usize) -> Option<&[f32]> {
        self.encodings.get(i * self.dim..(i + 1) * self.dim)
    }

    /// Enrols `encoding` under `name` (a person may be enrolled several times); returns the
    /// entry's index. Errors for a wrong length, a non-finite value or an empty name.
    pub fn enrol(&mut self, name: &str, encoding: &[f32]) -> Result<usize> {
        ensure!(
            encoding.len() == self.dim,
            "the encoding has {} values, the database's have {}",
            encoding.len(),
            self.dim
        );
        ensure!(
            encoding.iter().all(|v| v.is_finite()),
            "the encoding holds a value that is not a finite number"
        );
        ensure!(!name.trim().is_empty(), "give the face a name to enrol it");
        self.names.push(name.trim().to_string());
        self.encodings.extend_from_slice(encoding);
        Ok(self.names.len() - 1)
    }

    /// 1:K recognition of `encoding` against every entry at threshold `tau` (see [`recognise`]).
    pub fn recognise(&self, encoding: &[f32], tau: f32) -> Result<Recognition> {
        recognise(encoding, &self.encodings, self.dim, tau)
    }

    /// 1:1 verification of `encoding` as `name`: the distance to that person's nearest entry
    /// against `tau`. Errors when `name` is not enrolled.
    pub fn verify(&self, name: &str, encoding: &[f32], tau: f32) -> Result<Verification> {
        let r = self.recognise(encoding, tau)?;
        let entry = (0..self.len())
            .filter(|&i| self.names[i] == name)
            .min_by(|&a, &b| r.distances[a].total_cmp(&r.distances[b]))
            .with_context(|| format!("nobody called {name:?} is enrolled"))?;
        let distance = r.distances[entry];
        Ok(Verification {
            entry,
            distance,
            same: distance <= tau,
        })
    }

    /// The easiest and hardest triplet of the entries, identities being the names (see
    /// [`extreme_triplets`]).
    pub fn extreme_triplets(&self, alpha: f32) -> Result<ExtremeTriplets> {
        let labels: Vec<usize> = (0..self.len())
            .map(|i| {
                self.names[..=i]
                    .iter()
                    .position(|n| *n == self.names[i])
                    .unwrap_or(i)
            })
            .collect();
        extreme_triplets(&self.encodings, self.dim, &labels, alpha)
    }
}

/// Verification over all pairs of a labelled set at its best threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerificationAccuracy {
    /// The threshold τ: "same" when d ≤ τ.
    pub tau: f32,
    /// (fraction of same pairs with d ≤ τ + fraction of different pairs with d > τ) / 2.
    pub balanced_accuracy: f32,
    /// Pairs of the same identity.
    pub same_pairs: usize,
    /// Pairs of different identities.
    pub different_pairs: usize,
}

/// The balanced verification accuracy of `encodings` (`dim` values each) with `labels` over all
/// pairs, at the τ that maximises it (τ runs over the pairs' distances). Errors for fewer than
/// two identities or a label count that disagrees.
pub fn verification_accuracy(
    encodings: &[f32],
    dim: usize,
    labels: &[usize],
) -> Result<VerificationAccuracy> {
    let rows = labelled_rows(encodings, dim, labels)?;
    ensure!(
        rows.len() <= MAX_ALL_PAIRS_SET,
        "{} encodings make {} pairs; all pairs are compared for at most {MAX_ALL_PAIRS_SET} encodings",
        rows.len(),
        rows.len() as u64 * (rows.len() as u64).saturating_sub(1) / 2
    );
    let mut pairs = Vec::new();
    for i in 0..rows.len() {
        for j in i + 1..rows.len() {
            pairs.push((squared_distance(rows[i], rows[j])?, labels[i] == labels[j]));
        }
    }
    let same_pairs = pairs.iter().filter(|p| p.1).count();
    let different_pairs = pairs.len() - same_pairs;
    ensure!(
        same_pairs > 0 && different_pairs > 0,
        "verification needs pairs of the same and of different identities"
    );
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Sweep τ over the sorted distances: after pair k, the first k + 1 pairs are called "same".
    let (mut same_below, mut different_below) = (0usize, 0usize);
    let mut best = VerificationAccuracy {
        tau: f32::NEG_INFINITY,
        balanced_accuracy: 0.5,
        same_pairs,
        different_pairs,
    };
    for (k, &(d, same)) in pairs.iter().enumerate() {
        if same {
            same_below += 1;
        } else {
            different_below += 1;
        }
        if pairs.get(k + 1).is_some_and(|next| next.0 == d) {
            continue; // τ can only sit between distinct distances
        }
        let accuracy = 0.5
            * (same_below as f32 / same_pairs as f32
                + (different_pairs - different_below) as f32 / different_pairs as f32);
        if accuracy > best.balanced_accuracy {
            best.balanced_accuracy = accuracy;
            best.tau = d;
        }
    }
    Ok(best)
}

/// Lecture 37: verification as logistic regression, ŷ = σ(Σ_k w_k |f(x_i)_k − f(x_j)_k| + b).
#[derive(Clone, Debug, PartialEq)]
pub struct PairClassifier {
    /// One weight per encoding value.
    pub weights: Vec<f32>,
    /// The bias b.
    pub bias: f32,
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl PairClassifier {
    /// ŷ, the probability that encodings `a` and `b` belong to the same identity.
    pub fn probability(&self, a: &[f32], b: &[f32]) -> Result<f32> {
        ensure!(
            a.len() == self.weights.len() && b.len() == self.weights.len(),
            "the classifier takes encodings of {} values, got {} and {}",
            self.weights.len(),
            a.len(),
            b.len()
        );
        let z = self.bias
            + self
                .weights
                .iter()
                .zip(a.iter().zip(b))
                .map(|(w, (x, y))| w * (x - y).abs())
                .sum::<f32>();
        Ok(sigmoid(z))
    }
}

/// `count` pairs of `labels`' indices drawn from `seed`, half of the same identity and half of
/// different ones (as lecture 37 trains on: target 1 for same, 0 for different).
pub fn balanced_pairs(
    labels: &[usize],
    count: usize,
    seed: u64,
) -> Result<Vec<(usize, usize, bool)>> {
    ensure!(labels.len() >= 2, "pairs need at least two encodings");
    ensure!(
        (1..=MAX_PAIRS).contains(&count),
        "the number of pairs must be from 1 to {MAX_PAIRS}, not {count}"
    );
    let mut seen = std::collections::HashMap::new();
    for &l in labels {
        *seen.entry(l).or_insert(0usize) += 1;
    }
    ensure!(
        seen.len() >= 2 && seen.values().any(|&n| n >= 2),
        "balanced pairs need two identities and one identity with two encodings"
    );
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(count);
    let mut attempts = 0usize;
    while out.len() < count {
        attempts += 1;
        ensure!(
            attempts <= 1000 * count.max(1),
            "could not draw {count} balanced pairs (does every identity have two encodings?)"
        );
        let want_same = out.len() % 2 == 0;
        let i = rng.int(0, labels.len() - 1);
        let j = rng.int(0, labels.len() - 1);
        if i != j && (labels[i] == labels[j]) == want_same {
            out.push((i, j, want_same));
        }
    }
    Ok(out)
}

/// Trains a [`PairClassifier`] by full-batch gradient descent on the cross-entropy of `pairs`
/// (indices into `encodings`, `dim` values each, and whether they match) from zero weights:
/// `epochs` passes at learning rate `rate`.
pub fn train_pair_classifier(
    encodings: &[f32],
    dim: usize,
    pairs: &[(usize, usize, bool)],
    epochs: usize,
    rate: f32,
) -> Result<PairClassifier> {
    let rows: Vec<&[f32]> = rows(encodings, dim)?.collect();
    ensure!(!pairs.is_empty(), "there are no training pairs");
    ensure!(
        (1..=MAX_EPOCHS).contains(&epochs),
        "the number of epochs must be from 1 to {MAX_EPOCHS}, not {epochs}"
    );
    ensure!(
        rate.is_finite() && rate > 0.0,
        "the learning rate must be a positive number, not {rate}"
    );
    if let Some(&(i, j, _)) = pairs
        .iter()
        .find(|p| p.0 >= rows.len() || p.1 >= rows.len())
    {
        anyhow::bail!("pair ({i}, {j}) is outside the {} encodings", rows.len());
    }
    let features: Vec<Vec<f32>> = pairs
        .iter()
        .map(|&(i, j, _)| {
            rows[i]
                .iter()
                .zip(rows[j])
                .map(|(a, b)| (a - b).abs())
                .collect()
        })
        .collect();
    let mut model = PairClassifier {
        weights: vec![0.0; dim],
        bias: 0.0,
    };
    let n = pairs.len() as f32;
    for _ in 0..epochs {
        let mut grad = vec![0.0; dim];
        let mut grad_b = 0.0;
        for (x, &(_, _, same)) in features.iter().zip(pairs) {
            let z = model.bias + model.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f32>();
            let e = sigmoid(z) - f32::from(u8::from(same));
            grad_b += e / n;
            for (g, v) in grad.iter_mut().zip(x) {
                *g += e * v / n;
            }
        }
        for (w, g) in model.weights.iter_mut().zip(&grad) {
            *w -= rate * g;
        }
        model.bias -= rate * grad_b;
    }
    Ok(model)
}

/// Fraction of `pairs` that `classifier` gets right at ŷ ≥ 0.5 meaning "same".
pub fn pair_accuracy(
    classifier: &PairClassifier,
    encodings: &[f32],
    dim: usize,
    pairs: &[(usize, usize, bool)],
) -> Result<f32> {
    let rows: Vec<&[f32]> = rows(encodings, dim)?.collect();
    ensure!(!pairs.is_empty(), "there are no test pairs");
    let mut right = 0;
    for &(i, j, same) in pairs {
        ensure!(
            i < rows.len() && j < rows.len(),
            "pair ({i}, {j}) is outside the {} encodings",
            rows.len()
        );
        right += usize::from((classifier.probability(rows[i], rows[j])? >= 0.5) == same);
    }
    Ok(right as f32 / pairs.len() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lecture 36's definitions on hand-made encodings.
    #[test]
    fn triplet_loss_distances_and_kinds() {
        let (a, p) = ([0.0, 0.0], [1.0, 0.0]);
        let easy = triplet_loss(&a, &p, &[3.0, 0.0], 1.0).unwrap();
        assert_eq!((easy.positive, easy.negative, easy.loss), (1.0, 9.0, 0.0));
        assert_eq!(easy.kind, TripletKind::Easy);
        let semi = triplet_loss(&a, &p, &[0.0, 1.2], 1.0).unwrap();
        assert_eq!(semi.kind, TripletKind::SemiHard);
        assert!((semi.loss - (1.0 - 1.44 + 1.0)).abs() < 1e-6);
        let hard = triplet_loss(&a, &p, &[0.5, 0.0], 0.2).unwrap();
        assert_eq!(
            (hard.kind, hard.loss),
            (TripletKind::Hard, 1.0 - 0.25 + 0.2)
        );
        assert_eq!(
            triplet_loss(&a, &p, &[1.0], 0.2).unwrap_err().to_string(),
            "encodings of 2 and 1 values cannot be compared"
        );
        assert!(triplet_loss(&a, &p, &p, -1.0).is_err());
    }

    #[test]
    fn the_easiest_and_hardest_triplets_of_a_set() {
        // Identity 0 at x = 0 and x = 1; identity 1 at x = 0.8 and x = 5.
        let enc = [0.0, 1.0, 0.8, 5.0];
        let (easy, hard) = extreme_triplets(&enc, 1, &[0, 0, 1, 1], 0.5)
            .unwrap()
            .unwrap();
        // Hardest: A = 0.8 with its positive 5 (d 17.64) and the negative 1 (d 0.04): 17.6.
        assert_eq!(hard.0, [2, 3, 1]);
        assert_eq!(hard.1.kind, TripletKind::Hard);
        // Easiest: A = 0 with its positive 1 (d 1) and the negative 5 (d 25): −24.
        assert_eq!(easy.0, [0, 1, 3]);
        assert_eq!(easy.1.kind, TripletKind::Easy);
        assert!(extreme_triplets(&enc, 1, &[0, 1, 2, 3], 0.5)
            .unwrap()
            .is_none());
    }

    #[test]
    fn recognition_and_verification_accuracy() {
        let database = [0.0, 0.0, 10.0, 0.0, 0.0, 10.0];
        let r = recognise(&[9.0, 1.0], &database, 2, 4.0).unwrap();
        assert_eq!((r.nearest, r.recognised), (Some(1), true));
        assert_eq!(r.distances, [82.0, 2.0, 162.0]);
        let far = recognise(&[5.0, 5.0], &database, 2, 4.0).unwrap();
        assert!(!far.recognised);
        // Two tight identities far apart: perfect at a τ between the gaps.
        let enc = [0.0, 0.0, 0.1, 0.0, 5.0, 5.0, 5.0, 5.1];
        let v = verification_accuracy(&enc, 2, &[0, 0, 1, 1]).unwrap();
        assert_eq!((v.same_pairs, v.different_pairs), (2, 4));
        assert_eq!(v.balanced_accuracy, 1.0);
        assert!(v.tau >= 0.01 - 1e-6 && v.tau < 49.0);
        let e = verification_accuracy(&enc, 2, &[0, 0, 0, 0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "verification needs pairs of the same and of different identities"
        );
    }

    #[test]
    fn logistic_regression_on_absolute_differences_learns_pairs() {
        let enc: Vec<f32> = (0..40)
            .flat_map(|i| [(i % 4) as f32 * 3.0 + (i as f32 * 0.37).sin() * 0.3, 0.0])
            .collect();
        let labels: Vec<usize> = (0..40).map(|i| i % 4).collect();
        let pairs = balanced_pairs(&labels, 200, 1).unwrap();
        assert_eq!(pairs.iter().filter(|p| p.2).count(), 100);
        let c = train_pair_classifier(&enc, 2, &pairs, 500, 1.0).unwrap();
        assert!(c.weights[0] < 0.0, "a larger difference means less alike");
        let test = balanced_pairs(&labels, 200, 2).unwrap();
        assert!(pair_accuracy(&c, &enc, 2, &test).unwrap() > 0.95);
    }
}
