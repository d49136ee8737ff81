//! Transfer learning ([`crate::course::transfer`], [`crate::course::letters`]).

use js_sys::{Array, Float32Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::course::{letters, transfer};
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

/// `perClass` generated letters of each class (A, H, T, X) from `seed`, interleaved so that the
/// first `4n` hold `n` of each: `{ count, classes: ["A", "H", "T", "X"], labels: Uint8Array,
/// inputs: Float32Array (count × [1, 32, 32], LeNet-5's input) }`.
#[wasm_bindgen(js_name = letterSet)]
pub fn letter_set(per_class: JsValue, seed: JsValue) -> JsResult<Object> {
    let (labels, inputs) = letters::letter_set(
        whole("perClass", &per_class)?,
        crate::wasm::convert::seed("seed", &seed)?,
    )
    .map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "count", labels.len() as f64)?;
    let classes: Array = letters::LETTERS
        .iter()
        .map(|c| JsValue::from(c.to_string()))
        .collect();
    set(&obj, "classes", classes)?;
    let labels: Vec<u8> = labels.iter().map(|&l| l as u8).collect();
    set(&obj, "labels", Uint8Array::from(labels.as_slice()))?;
    set(&obj, "inputs", Float32Array::from(inputs.as_slice()))?;
    Ok(obj)
}

/// A softmax layer trained by `trainSoftmax`.
#[wasm_bindgen(js_name = SoftmaxLayer)]
pub struct JsSoftmax {
    layer: transfer::Softmax,
}

fn labels_of(name: &str, v: &JsValue) -> JsResult<Vec<usize>> {
    crate::wasm::convert::indices(name, v, "a class index")
}

fn train_options(options: &JsValue) -> JsResult<transfer::TrainOptions> {
    let mut o = transfer::TrainOptions::default();
    let get = |key| field(options, key);
    if !is_missing(&get("epochs")) {
        o.epochs = whole("epochs", &get("epochs"))?;
    }
    if !is_missing(&get("rate")) {
        o.rate = number("rate", &get("rate"))?;
    }
    if !is_missing(&get("l2")) {
        o.l2 = number("l2", &get("l2"))?;
    }
    Ok(o)
}

/// Trains a new softmax layer (plain Rust, full-batch gradient descent from zero weights) on
/// `options.features` (`Float32Array`, `labels.length × dim`), `options.labels` (class indices)
/// and `options.classes`, with optional `epochs` (200), `rate` (0.5) and `l2` (0.01). Throws for
/// lengths that disagree or labels out of range.
#[wasm_bindgen(js_name = trainSoftmax)]
pub fn train_softmax(options: JsValue) -> JsResult<JsSoftmax> {
    crate::wasm::convert::options_object(&options, "trainSoftmax")?;
    let features = floats("features", &field(&options, "features"))?;
    let labels = labels_of("labels", &field(&options, "labels"))?;
    let classes = whole("classes", &field(&options, "classes"))?;
    let dim = if labels.is_empty() {
        0
    } else {
        features.len() / labels.len()
    };
    let layer = transfer::train_softmax(&features, dim, &labels, classes, train_options(&options)?)
        .map_err(core_error)?;
    Ok(JsSoftmax { layer })
}

impl std::fmt::Debug for JsSoftmax {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SoftmaxLayer {} → {}",
            self.layer.dim, self.layer.classes
        )
    }
}

#[wasm_bindgen(js_class = SoftmaxLayer)]
impl JsSoftmax {
    /// Feature length it was trained on.
    #[wasm_bindgen(getter)]
    pub fn dim(&self) -> usize {
        self.layer.dim
    }

    /// Class probabilities of one feature (`Float32Array` of `dim`).
    pub fn probabilities(&self, feature: JsValue) -> JsResult<Float32Array> {
        let p = self
            .layer
            .probabilities(&floats("feature", &feature)?)
            .map_err(core_error)?;
        Ok(Float32Array::from(p.as_slice()))
    }

    /// Fraction of the examples (`features`, `labels`) it classifies right.
    pub fn accuracy(&self, features: JsValue, labels: JsValue) -> JsResult<f32> {
        self.layer
            .accuracy(
                &floats("features", &features)?,
                &labels_of("labels", &labels)?,
            )
            .map_err(core_error)
    }
}

/// Lecture 20's learning curve: `options` `{ train, trainLabels, test, testLabels, classes, sizes
/// }` (features as for `trainSoftmax`) plus its training options → `[{ examples, accuracy }]`, the
/// test accuracy of a softmax trained on the first `examples` of each class.
#[wasm_bindgen(js_name = learningCurve)]
pub fn learning_curve(options: JsValue) -> JsResult<Array> {
    crate::wasm::convert::options_object(&options, "learningCurve")?;
    let train = floats("train", &field(&options, "train"))?;
    let train_labels = labels_of("trainLabels", &field(&options, "trainLabels"))?;
    let test = floats("test", &field(&options, "test"))?;
    let test_labels = labels_of("testLabels", &field(&options, "testLabels"))?;
    let classes = whole("classes", &field(&options, "classes"))?;
    let sizes = labels_of("sizes", &field(&options, "sizes"))?;
    let dim = if train_labels.is_empty() {
        0
    } else {
        train.len() / train_labels.len()
    };
    let curve = transfer::learning_curve(
        (&train, &train_labels),
        (&test, &test_labels),
        dim,
        classes,
        &sizes,
        train_options(&options)?,
    )
    .map_err(core_error)?;
    let list = Array::new();
    for (examples, accuracy) in curve {
        let obj = Object::new();
        set(&obj, "examples", examples as f64)?;
        set(&obj, "accuracy", accuracy)?;
        list.push(&obj);
    }
    Ok(list)
}
