//! Face verification in the JavaScript API (lectures 34-37): distances, the triplet loss,
//! recognition in a one-shot database, the verification accuracy at the best τ, and verification
//! as logistic regression. Encodings come from `Model.features(inputs, layer)` of an embedding
//! network (e.g. `models/digit-embedding.onnx`).

use wasm_bindgen::prelude::*;

use js_sys::{Float32Array, Object};

use super::{core_error, field, floats, number, set, whole, JsResult};
use crate::embedding;

fn labels(name: &str, v: &JsValue) -> JsResult<Vec<usize>> {
    super::indices(name, v, "an identity")
}

/// d(a, b) = ‖a − b‖² of two encodings.
#[wasm_bindgen(js_name = squaredDistance)]
pub fn squared_distance(a: JsValue, b: JsValue) -> JsResult<f32> {
    embedding::squared_distance(&floats("a", &a)?, &floats("b", &b)?).map_err(core_error)
}

/// Lecture 36: `{ positive: d(A, P), negative: d(A, N), loss: max(d(A, P) − d(A, N) + α, 0),
/// kind: "easy" | "semi-hard" | "hard" }` for encodings `a`, `p`, `n` and margin `alpha`.
#[wasm_bindgen(js_name = tripletLoss)]
pub fn triplet_loss(a: JsValue, p: JsValue, n: JsValue, alpha: JsValue) -> JsResult<Object> {
    let t = embedding::triplet_loss(
        &floats("anchor", &a)?,
        &floats("positive", &p)?,
        &floats("negative", &n)?,
        number("alpha", &alpha)?,
    )
    .map_err(core_error)?;
    triplet_object(&t)
}

/// Lecture 36 on a labelled set: the easiest and the hardest triplet of `encodings` (`dim` each)
/// with `labels` for margin `alpha`: `{ easy, hard }`, each `{ indices: [a, p, n], positive,
/// negative, loss, kind }`, or `null` when no identity has two encodings or there is only one.
#[wasm_bindgen(js_name = extremeTriplets)]
pub fn extreme_triplets(
    encodings: JsValue,
    dim: JsValue,
    labels_: JsValue,
    alpha: JsValue,
) -> JsResult<JsValue> {
    let found = embedding::extreme_triplets(
        &floats("encodings", &encodings)?,
        whole("dim", &dim)?,
        &labels("labels", &labels_)?,
        number("alpha", &alpha)?,
    )
    .map_err(core_error)?;
    let Some((easy, hard)) = found else {
        return Ok(JsValue::NULL);
    };
    let obj = Object::new();
    for (key, (indices, t)) in [("easy", easy), ("hard", hard)] {
        let entry = triplet_object(&t)?;
        set(&entry, "indices", super::usizes(&indices))?;
        set(&obj, key, entry)?;
    }
    Ok(obj.into())
}

fn triplet_object(t: &embedding::Triplet) -> JsResult<Object> {
    let obj = Object::new();
    set(&obj, "positive", t.positive)?;
    set(&obj, "negative", t.negative)?;
    set(&obj, "loss", t.loss)?;
    let kind = match t.kind {
        embedding::TripletKind::Easy => "easy",
        embedding::TripletKind::SemiHard => "semi-hard",
        embedding::TripletKind::Hard => "hard",
    };
    set(&obj, "kind", kind)?;
    Ok(obj)
}

/// Lecture 34: `encoding` against a database of encodings (`dim` values each, one after the
/// other): `{ distances: Float32Array, nearest: index | -1, recognised: nearest d ≤ tau }`.
#[wasm_bindgen]
pub fn recognise(
    encoding: JsValue,
    database: JsValue,
    dim: JsValue,
    tau: JsValue,
) -> JsResult<Object> {
    let r = embedding::recognise(
        &floats("encoding", &encoding)?,
        &floats("database", &database)?,
        whole("dim", &dim)?,
        number("tau", &tau)?,
    )
    .map_err(core_error)?;
    let obj = Object::new();
    set(
        &obj,
        "distances",
        Float32Array::from(r.distances.as_slice()),
    )?;
    set(&obj, "nearest", r.nearest.map_or(-1.0, |i| i as f64))?;
    set(&obj, "recognised", r.recognised)?;
    Ok(obj)
}

/// The balanced verification accuracy over all pairs of `encodings` (`dim` each) with `labels`,
/// at its best τ: `{ tau, balancedAccuracy, samePairs, differentPairs }`.
#[wasm_bindgen(js_name = verificationAccuracy)]
pub fn verification_accuracy(
    encodings: JsValue,
    dim: JsValue,
    labels_: JsValue,
) -> JsResult<Object> {
    let v = embedding::verification_accuracy(
        &floats("encodings", &encodings)?,
        whole("dim", &dim)?,
        &labels("labels", &labels_)?,
    )
    .map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "tau", v.tau)?;
    set(&obj, "balancedAccuracy", v.balanced_accuracy)?;
    set(&obj, "samePairs", v.same_pairs as f64)?;
    set(&obj, "differentPairs", v.different_pairs as f64)?;
    Ok(obj)
}

/// Lecture 37's logistic regression, trained by `trainPairClassifier`.
#[wasm_bindgen(js_name = PairClassifier)]
pub struct JsPairClassifier {
    classifier: embedding::PairClassifier,
}

impl std::fmt::Debug for JsPairClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PairClassifier {:?}", self.classifier)
    }
}

/// Lecture 37: trains ŷ = σ(Σ_k w_k |f(x_i)_k − f(x_j)_k| + b) in plain Rust on balanced pairs of
/// `options.encodings` (`dim` each) with `labels`: `pairs` pairs (default 2000) drawn from `seed`
/// (default 1), `epochs` (500) at `rate` (1). Test it with `accuracy` on other pairs.
#[wasm_bindgen(js_name = trainPairClassifier)]
pub fn train_pair_classifier(options: JsValue) -> JsResult<JsPairClassifier> {
    super::options_object(&options, "trainPairClassifier")?;
    let get = |k: &str| field(&options, k);
    let or = |k: &str, d: f64| -> JsResult<f64> {
        let v = get(k);
        if super::is_missing(&v) {
            Ok(d)
        } else {
            Ok(number(k, &v)? as f64)
        }
    };
    let encodings = floats("encodings", &get("encodings"))?;
    let dim = whole("dim", &get("dim"))?;
    let labels = labels("labels", &get("labels"))?;
    let pairs = embedding::balanced_pairs(
        &labels,
        or("pairs", 2000.0)? as usize,
        or("seed", 1.0)? as u64,
    )
    .map_err(core_error)?;
    let classifier = embedding::train_pair_classifier(
        &encodings,
        dim,
        &pairs,
        or("epochs", 500.0)? as usize,
        or("rate", 1.0)? as f32,
    )
    .map_err(core_error)?;
    Ok(JsPairClassifier { classifier })
}

#[wasm_bindgen(js_class = PairClassifier)]
impl JsPairClassifier {
    /// The weights w_k.
    #[wasm_bindgen(getter)]
    pub fn weights(&self) -> Float32Array {
        Float32Array::from(self.classifier.weights.as_slice())
    }

    /// The bias b.
    #[wasm_bindgen(getter)]
    pub fn bias(&self) -> f32 {
        self.classifier.bias
    }

    /// ŷ for two encodings.
    pub fn probability(&self, a: JsValue, b: JsValue) -> JsResult<f32> {
        self.classifier
            .probability(&floats("a", &a)?, &floats("b", &b)?)
            .map_err(core_error)
    }

    /// The fraction right over `count` balanced pairs of `encodings` (`dim` each, `labels`) drawn
    /// from `seed`.
    pub fn accuracy(
        &self,
        encodings: JsValue,
        dim: JsValue,
        labels_: JsValue,
        count: JsValue,
        seed: JsValue,
    ) -> JsResult<f32> {
        let labels = labels("labels", &labels_)?;
        let pairs = embedding::balanced_pairs(
            &labels,
            whole("count", &count)?,
            whole("seed", &seed)? as u64,
        )
        .map_err(core_error)?;
        embedding::pair_accuracy(
            &self.classifier,
            &floats("encodings", &encodings)?,
            whole("dim", &dim)?,
            &pairs,
        )
        .map_err(core_error)
    }
}
