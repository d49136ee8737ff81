//! Face verification on encodings ([`crate::course::embedding`]): distances, the triplet loss,
//! recognition, the `FaceDatabase`, verification accuracy and logistic regression.

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::course::embedding;
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

fn labels(name: &str, v: &JsValue) -> JsResult<Vec<usize>> {
    crate::wasm::convert::indices(name, v, "an identity")
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
    extremes_object(found)
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
    recognition_object(&r)
}

fn recognition_object(r: &embedding::Recognition) -> JsResult<Object> {
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

fn extremes_object(found: embedding::ExtremeTriplets) -> JsResult<JsValue> {
    let Some((easy, hard)) = found else {
        return Ok(JsValue::NULL);
    };
    let obj = Object::new();
    for (key, (indices, t)) in [("easy", easy), ("hard", hard)] {
        let entry = triplet_object(&t)?;
        set(&entry, "indices", usizes(&indices))?;
        set(&obj, key, entry)?;
    }
    Ok(obj.into())
}

/// A one-shot database of encodings (lectures 33-36): enrol faces by name, recognise (1:K) and
/// verify (1:1) against τ, and find its easiest and hardest triplet.
#[wasm_bindgen(js_name = FaceDatabase)]
#[derive(Debug)]
pub struct JsFaceDatabase {
    db: embedding::FaceDatabase,
}

#[wasm_bindgen(js_class = FaceDatabase)]
impl JsFaceDatabase {
    /// An empty database for encodings of `dim` values.
    #[wasm_bindgen(constructor)]
    pub fn new(dim: JsValue) -> JsResult<JsFaceDatabase> {
        Ok(JsFaceDatabase {
            db: embedding::FaceDatabase::new(whole("dim", &dim)?).map_err(core_error)?,
        })
    }

    /// Enrolled entries.
    pub fn size(&self) -> f64 {
        self.db.len() as f64
    }

    /// The entries' names in enrolment order.
    pub fn names(&self) -> Array {
        self.db
            .names()
            .iter()
            .map(|n| JsValue::from_str(n))
            .collect()
    }

    /// Distinct names in enrolment order (the people one can claim to be).
    pub fn people(&self) -> Array {
        let mut seen: Vec<&String> = Vec::new();
        for n in self.db.names() {
            if !seen.contains(&n) {
                seen.push(n);
            }
        }
        seen.into_iter().map(|n| JsValue::from_str(n)).collect()
    }

    /// Enrols `encoding` under `name`; returns the entry's index.
    pub fn enrol(&mut self, name: JsValue, encoding: JsValue) -> JsResult<f64> {
        let name = name
            .as_string()
            .ok_or_else(|| JsError::new("the name must be a string"))?;
        self.db
            .enrol(&name, &floats("encoding", &encoding)?)
            .map(|i| i as f64)
            .map_err(core_error)
    }

    /// 1:K: `{ distances, nearest, recognised, name }` (`name` of the nearest entry, or null).
    pub fn recognise(&self, encoding: JsValue, tau: JsValue) -> JsResult<Object> {
        let r = self
            .db
            .recognise(&floats("encoding", &encoding)?, number("tau", &tau)?)
            .map_err(core_error)?;
        let obj = recognition_object(&r)?;
        let name = r.nearest.map(|i| self.db.names()[i].as_str());
        set(&obj, "name", name.map_or(JsValue::NULL, JsValue::from_str))?;
        Ok(obj)
    }

    /// 1:1, "is this `name`?": `{ entry, distance, same }` against that person's nearest entry.
    pub fn verify(&self, name: JsValue, encoding: JsValue, tau: JsValue) -> JsResult<Object> {
        let name = name
            .as_string()
            .ok_or_else(|| JsError::new("the claimed name must be a string"))?;
        let v = self
            .db
            .verify(&name, &floats("encoding", &encoding)?, number("tau", &tau)?)
            .map_err(core_error)?;
        let obj = Object::new();
        set(&obj, "entry", v.entry as f64)?;
        set(&obj, "distance", v.distance)?;
        set(&obj, "same", v.same)?;
        Ok(obj)
    }

    /// The easiest and hardest triplet of the entries (identities are the names), as
    /// `extremeTriplets` gives them, or null.
    #[wasm_bindgen(js_name = extremeTriplets)]
    pub fn extreme_triplets(&self, alpha: JsValue) -> JsResult<JsValue> {
        extremes_object(
            self.db
                .extreme_triplets(number("alpha", &alpha)?)
                .map_err(core_error)?,
        )
    }
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
    crate::wasm::convert::options_object(&options, "trainPairClassifier")?;
    let get = |k: &str| field(&options, k);
    let or = |k: &str, d: f64| -> JsResult<f64> {
        let v = get(k);
        if crate::wasm::convert::is_missing(&v) {
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
            crate::wasm::convert::seed("seed", &seed)?,
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
