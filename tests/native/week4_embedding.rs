//! Lectures 34-37 on the project's digit embedding (www/models/digit-embedding.onnx, made by
//! data/digits/train_embedding.py): encodings of the 360 held-out digits computed by tract, the
//! verification accuracy at the best τ (also recorded in the sidecar by the training script),
//! one-shot recognition, and lecture 37's logistic regression.

use cnn_playground::digits::{lenet_input, parse_digit_set};
use cnn_playground::embedding::{
    balanced_pairs, pair_accuracy, recognise, train_pair_classifier, verification_accuracy,
};
use cnn_playground::engine::Model;

fn encodings() -> (Vec<f32>, Vec<usize>) {
    let model = Model::load(include_bytes!("../../www/models/digit-embedding.onnx")).unwrap();
    assert_eq!(model.output_shape(), [1, 2]);
    let digits = parse_digit_set(include_bytes!("../../www/models/digits-heldout.bin")).unwrap();
    let mut enc = Vec::new();
    for d in &digits {
        enc.extend(model.run(&lenet_input(&d.pixels).unwrap()).unwrap().data);
    }
    (enc, digits.iter().map(|d| d.label as usize).collect())
}

#[test]
fn held_out_verification_accuracy_at_the_best_tau() {
    let (enc, labels) = encodings();
    let v = verification_accuracy(&enc, 2, &labels).unwrap();
    println!(
        "held-out verification: balanced accuracy {:.4} at tau {:.4} ({} same, {} different pairs)",
        v.balanced_accuracy, v.tau, v.same_pairs, v.different_pairs
    );
    assert_eq!(v.same_pairs + v.different_pairs, 360 * 359 / 2);
    assert!(v.balanced_accuracy >= 0.9, "{v:?}");
    // The training script swept 2001 quantiles of the same distances: it cannot beat the exact sweep.
    let sidecar = include_str!("../../www/models/digit-embedding.json");
    let recorded: f32 = sidecar
        .split("\"balancedAccuracy\": ")
        .nth(1)
        .and_then(|s| s.split([',', '\n']).next())
        .and_then(|s| s.trim().parse().ok())
        .expect("balancedAccuracy in the sidecar");
    assert!(
        recorded <= v.balanced_accuracy + 1e-4 && recorded >= v.balanced_accuracy - 0.01,
        "sidecar {recorded}, tract {}",
        v.balanced_accuracy
    );
}

#[test]
fn one_shot_recognition_and_logistic_regression() {
    let (enc, labels) = encodings();
    // The database: the first held-out example of each digit; every other digit is recognised as
    // its nearest entry (τ = ∞).
    let first: Vec<usize> = (0..10)
        .map(|d| labels.iter().position(|&l| l == d).unwrap())
        .collect();
    let database: Vec<f32> = first
        .iter()
        .flat_map(|&i| enc[2 * i..2 * i + 2].to_vec())
        .collect();
    let (mut right, mut total) = (0, 0);
    for i in (0..labels.len()).filter(|i| !first.contains(i)) {
        let r = recognise(&enc[2 * i..2 * i + 2], &database, 2, f32::INFINITY).unwrap();
        right += usize::from(r.nearest == Some(labels[i]));
        total += 1;
    }
    let one_shot = right as f32 / total as f32;
    println!("one-shot recognition with one example per digit: {right}/{total} = {one_shot:.3}");
    assert!(one_shot >= 0.7, "{one_shot}");

    let pairs = balanced_pairs(&labels[..180], 2000, 1).unwrap();
    let classifier = train_pair_classifier(&enc[..360], 2, &pairs, 500, 1.0).unwrap();
    let test = balanced_pairs(&labels[180..], 2000, 7).unwrap();
    let accuracy = pair_accuracy(&classifier, &enc[360..], 2, &test).unwrap();
    println!(
        "logistic regression on |f(xi) - f(xj)|: {accuracy:.3} on held-out pairs, {classifier:?}"
    );
    assert!(accuracy >= 0.8, "{accuracy}");
    assert!(
        classifier.weights.iter().all(|&w| w < 0.0),
        "larger differences must mean less alike"
    );
}

/// The one-shot database the page's face widgets use (lectures 33-36): several entries per person,
/// 1:K recognition, 1:1 verification against that person's nearest entry, and triplets whose
/// identities are the names.
#[test]
fn the_face_database_decides_recognition_and_verification() {
    use cnn_playground::embedding::FaceDatabase;
    let mut db = FaceDatabase::new(2).unwrap();
    db.enrol("ann", &[0.0, 0.0]).unwrap();
    db.enrol("bob", &[3.0, 0.0]).unwrap();
    assert_eq!(db.enrol(" ann ", &[0.0, 2.0]).unwrap(), 2);
    assert_eq!(db.names(), ["ann", "bob", "ann"]);
    let r = db.recognise(&[0.0, 1.8], 0.1).unwrap();
    assert_eq!((r.nearest, r.recognised), (Some(2), true));
    let r = db.recognise(&[1.5, 0.0], 1.0).unwrap();
    assert!(!r.recognised, "2.25 from both ann and bob");
    let v = db.verify("ann", &[0.0, 1.8], 0.1).unwrap();
    assert_eq!((v.entry, v.same), (2, true));
    assert!((v.distance - 0.04).abs() < 1e-6);
    let v = db.verify("bob", &[0.0, 1.8], 0.1).unwrap();
    assert!(!v.same);
    // A = ann #3, P = ann #1, N = bob: d(A, P) = 4, d(A, N) = 13, the widest margin (easiest);
    // A = ann #1 with N = bob at 9 is the hardest.
    let (easy, hard) = db.extreme_triplets(0.2).unwrap().unwrap();
    assert_eq!(easy.0, [2, 0, 1]);
    assert_eq!(hard.0, [0, 2, 1]);
    for bad in [&[f32::NAN, 0.0][..], &[0.0][..]] {
        assert!(db.enrol("eve", bad).is_err());
    }
    assert_eq!(
        db.enrol("  ", &[0.0, 0.0]).unwrap_err().to_string(),
        "give the face a name to enrol it"
    );
    assert_eq!(
        db.verify("eve", &[0.0, 0.0], 1.0).unwrap_err().to_string(),
        "nobody called \"eve\" is enrolled"
    );
}
