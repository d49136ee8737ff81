//! Trained ONNX models in the JavaScript API: `loadModel(bytes)` → a `Model` that tract runs.

use wasm_bindgen::prelude::*;

use super::{core_error, floats, output, usizes, JsResult};
use crate::engine;

/// A loaded ONNX model (see `loadModel`): its input and output shapes and `run`.
#[wasm_bindgen(js_name = Model)]
pub struct JsModel {
    model: engine::Model,
}

/// Loads an ONNX model from its bytes (`Uint8Array`) with tract, fixing a symbolic batch axis
/// to 1 and optimising the graph. Throws an `Error` naming the cause for bytes that are not ONNX,
/// a file over 64 MiB, several inputs, unknown input sizes or an op tract cannot run.
#[wasm_bindgen(js_name = loadModel)]
pub fn load_model(bytes: &[u8]) -> JsResult<JsModel> {
    Ok(JsModel {
        model: engine::Model::load(bytes).map_err(core_error)?,
    })
}

#[wasm_bindgen(js_class = Model)]
impl JsModel {
    /// The input shape, e.g. `[1, 3, 96, 96]`.
    #[wasm_bindgen(js_name = inputShape)]
    pub fn input_shape(&self) -> js_sys::Array {
        usizes(self.model.input_shape())
    }

    /// The output shape for that input.
    #[wasm_bindgen(js_name = outputShape)]
    pub fn output_shape(&self) -> js_sys::Array {
        usizes(self.model.output_shape())
    }

    /// Runs the model on `input` (a `Float32Array` of `inputShape()`): `{ shape, data }` of the
    /// first output.
    pub fn run(&self, input: JsValue) -> JsResult<JsValue> {
        let input = floats("input", &input)?;
        output(self.model.run(&input).map_err(core_error)?)
    }
}
