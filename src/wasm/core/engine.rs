//! The engine ([`crate::core::engine`]): `loadModel` and every JavaScript method of a loaded
//! `Model` (run, layers, feature maps, a layer's output, features, lecture 39's strongest
//! activations).

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::core::engine;
use crate::core::geometry::shape_text;
use crate::course::activations;
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

#[wasm_bindgen]
extern "C" {
    /// The page's or the worker's clock, milliseconds (`performance.now()`).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// A loaded ONNX model (see `loadModel`): its input and output shapes and `run`.
#[wasm_bindgen(js_name = Model)]
pub struct JsModel {
    pub(crate) model: engine::Model,
}

impl std::fmt::Debug for JsModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Model {:?} → {:?}",
            self.model.input_shape(),
            self.model.output_shape()
        )
    }
}

/// A model file's structure without its weights (`Model.structure` in the core), for files too
/// large to run (over `maxRunBytes()`, up to `maxModelBytes()`): `{ inputShape, outputShape,
/// layers }` with `layers` as `Model.layers()`. Large weights are skipped as the file is read, so
/// only their shapes are held.
#[wasm_bindgen(js_name = modelStructure)]
pub fn model_structure(model: JsValue) -> JsResult<Object> {
    let s = engine::Model::structure(&bytes("model", &model)?).map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "inputShape", usizes(&s.input_shape))?;
    set(&obj, "outputShape", usizes(&s.output_shape))?;
    set(&obj, "layers", layer_list(&s.layers)?)?;
    Ok(obj)
}

/// The largest model file (bytes) `loadModel` takes: 256 MiB.
#[wasm_bindgen(js_name = maxRunBytes)]
pub fn max_run_bytes() -> f64 {
    engine::MAX_RUN_BYTES as f64
}

/// Which kernel tract uses for the f32 matrix products of models loaded from now on
/// (`core::engine::gemm`): `"auto"` (the default: this crate's 4×8 kernel on x86 processors,
/// tract's 8×8 elsewhere), `"tract"` (tract's choice) or `"rows4"` (the 4×8 kernel anywhere).
/// Models loaded before, and plans the engine has cached, keep their kernel. For benchmarks and
/// tests; the page never calls it. Throws an `Error` for any other name.
#[wasm_bindgen(js_name = setMatMulKernel)]
pub fn set_mat_mul_kernel(name: &str) -> JsResult<()> {
    use engine::gemm::{set_choice, Choice};
    let choice = match name {
        "auto" => Choice::Auto,
        "tract" => Choice::Tract,
        "rows4" => Choice::Rows4,
        _ => {
            return Err(JsError::new(&format!(
                "setMatMulKernel takes \"auto\", \"tract\" or \"rows4\", not \"{name}\"."
            )))
        }
    };
    set_choice(choice);
    Ok(())
}

/// The matrix-product kernel models loaded now get for products of more than one column: this
/// crate's (`"cnn_playground_wasm_f32_4x8"`) or `"tract"` (tract's own choice).
#[wasm_bindgen(js_name = matMulKernel)]
pub fn mat_mul_kernel() -> String {
    if engine::gemm::uses_own_kernel() {
        engine::gemm::KERNEL_NAME.to_string()
    } else {
        "tract".to_string()
    }
}

/// The largest model file (bytes) `modelStructure` reads: 1 GiB.
#[wasm_bindgen(js_name = maxModelBytes)]
pub fn max_model_bytes() -> f64 {
    engine::MAX_MODEL_BYTES as f64
}

/// Loads an ONNX model from its bytes (`Uint8Array`) with tract and optimises it for one input
/// shape: `inputShape` when given (for fully convolutional models with symbolic height and width),
/// otherwise the file's, with a symbolic batch axis set to 1. Throws an `Error` naming the cause
/// for bytes that are not ONNX, a file over `maxRunBytes()` (256 MiB), several inputs, unknown
/// input sizes, a shape that does not fit, or an op tract cannot run.
#[wasm_bindgen(js_name = loadModel)]
pub fn load_model(model: JsValue, input_shape: JsValue) -> JsResult<JsModel> {
    let shape = optional_input_shape(&input_shape)?;
    Ok(JsModel {
        model: engine::Model::load_with_input_shape(&bytes("model", &model)?, shape.as_deref())
            .map_err(core_error)?,
    })
}

/// `loadModel`'s optional `inputShape`.
fn optional_input_shape(v: &JsValue) -> JsResult<Option<Vec<usize>>> {
    if is_missing(v) {
        return Ok(None);
    }
    Ok(Some(dims("inputShape", v, "an array of whole numbers")?))
}

/// Where loading a model spends its time, timed with `performance.now()` inside the module:
/// loads it as `loadModel(model, inputShape)` does and returns `{ read, analyse, optimise }`
/// in milliseconds — reading (decode, this crate's checks, tract's graph), tract's analysis of
/// types and shapes, and tract's optimisation (declutter, kernels, packed weights). The model is
/// dropped afterwards. Throws what `loadModel` throws.
#[wasm_bindgen(js_name = loadPhases)]
pub fn load_phases(model: JsValue, input_shape: JsValue) -> JsResult<Object> {
    let shape = optional_input_shape(&input_shape)?;
    let (_, phases) =
        engine::Model::load_timed(&bytes("model", &model)?, shape.as_deref(), &performance_now)
            .map_err(core_error)?;
    let out = Object::new();
    set(&out, "read", phases.read_ms)?;
    set(&out, "analyse", phases.analyse_ms)?;
    set(&out, "optimise", phases.optimise_ms)?;
    Ok(out)
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
    /// first output. `shape` may be given and must then equal `inputShape()` (the plan is
    /// optimised for that shape; load the bytes again with another `inputShape` for another).
    pub fn run(&self, input: JsValue, shape: JsValue) -> JsResult<JsValue> {
        let input = self.input(&input, &shape)?;
        output(self.model.run(&input).map_err(core_error)?)
    }

    /// Where a run spends its time: the model run `runs` times (1 to 100) on `input`, each node of
    /// tract's optimised plan timed with `performance.now()`: `[{ name, op, ms }]`, the median
    /// milliseconds per node, slowest first.
    pub fn profile(&self, input: JsValue, runs: JsValue) -> JsResult<Array> {
        let input = self.input(&input, &JsValue::UNDEFINED)?;
        let nodes = self
            .model
            .profile(&input, whole("runs", &runs)?, &performance_now)
            .map_err(core_error)?;
        let list = Array::new();
        for n in nodes {
            let node = Object::new();
            set(&node, "name", n.name.as_str())?;
            set(&node, "op", n.op.as_str())?;
            set(&node, "ms", n.ms)?;
            list.push(&node);
        }
        Ok(list)
    }

    fn input(&self, input: &JsValue, shape: &JsValue) -> JsResult<Vec<f32>> {
        if !is_missing(shape) {
            let shape = dims("shape", shape, "an array of whole numbers")?;
            if shape != self.model.input_shape() {
                return Err(JsError::new(&format!(
                    "the model was loaded for input shape {} but was given {}; call loadModel(bytes, {}) for that shape",
                    shape_text(self.model.input_shape()),
                    shape_text(&shape),
                    shape_text(&shape)
                )));
            }
        }
        floats("input", input)
    }

    /// The model's nodes in file order: `[{ name, op, outputShape, params, macs, featureMap,
    /// receptiveField?, window? }]` (`window`: `{ kernel, stride, padding: [top, bottom, left,
    /// right], dilation }` of a conv or pool)
    /// (shapes from tract's analysis of the graph; parameters from the node's weights;
    /// multiply-adds for `Conv`, `Gemm` and `MatMul`).
    pub fn layers(&self) -> JsResult<Array> {
        layer_list(self.model.layers().map_err(core_error)?)
    }

    /// Sum of the layers' parameters.
    #[wasm_bindgen(js_name = totalParams)]
    pub fn total_params(&self) -> JsResult<f64> {
        let layers = self.model.layers().map_err(core_error)?;
        Ok(layers.iter().map(|l| l.params as f64).sum())
    }

    /// The feature maps of one run on `input` (optionally with its `shape`, as for `run`):
    /// `[{ layer, shape, data }]` for every layer whose output is `[1, c, h, w]` (`layer` indexes
    /// `layers()`), taken from the real graph.
    #[wasm_bindgen(js_name = featureMaps)]
    pub fn feature_maps(&self, input: JsValue, shape: JsValue) -> JsResult<Array> {
        let input = self.input(&input, &shape)?;
        let maps = self.model.feature_maps(&input).map_err(core_error)?;
        let list = Array::new();
        for (layer, out) in maps {
            let obj = Object::new();
            set(&obj, "layer", layer as f64)?;
            set(&obj, "shape", usizes(&out.shape))?;
            set(
                &obj,
                "data",
                js_sys::Float32Array::from(out.data.as_slice()),
            )?;
            list.push(&obj);
        }
        Ok(list)
    }
}

#[wasm_bindgen(js_class = Model)]
impl JsModel {
    /// The output `{ shape, data }` of layer `layer` (an index into `layers()`) for one `input`,
    /// from the real graph: the frozen features of transfer learning.
    #[wasm_bindgen(js_name = layerOutput)]
    pub fn layer_output(&self, input: JsValue, layer: JsValue) -> JsResult<JsValue> {
        let input = floats("input", &input)?;
        let layer = whole("layer", &layer)?;
        output(self.model.layer_output(&input, layer).map_err(core_error)?)
    }

    /// Lecture 39: over `inputs` (a `Float32Array` of several model inputs one after the other),
    /// the `k` strongest activations of `channel` of feature-map layer `layer`, one per input,
    /// strongest first: `[{ input, row, column, value, window: { start, size }, patch: { rgba,
    /// width, height } }]`, where `window` is the receptive field in input pixels (rows then
    /// columns; it may reach into padding) and `patch` the part of the input it covers.
    #[wasm_bindgen(js_name = topActivations)]
    pub fn top_activations(
        &self,
        inputs: JsValue,
        layer: JsValue,
        channel: JsValue,
        k: JsValue,
    ) -> JsResult<Array> {
        let top = activations::top_activation_patches(
            &self.model,
            &floats("inputs", &inputs)?,
            whole("layer", &layer)?,
            whole("channel", &channel)?,
            whole("k", &k)?,
        )
        .map_err(core_error)?;
        let list = Array::new();
        for (t, p) in top {
            let obj = Object::new();
            set(&obj, "input", t.input as f64)?;
            set(&obj, "row", t.at[0] as f64)?;
            set(&obj, "column", t.at[1] as f64)?;
            set(&obj, "value", t.value)?;
            set(&obj, "window", ranges_object(&t.window)?)?;
            let patch = Object::new();
            set(
                &patch,
                "rgba",
                js_sys::Uint8ClampedArray::from(p.rgba.as_slice()),
            )?;
            set(&patch, "width", p.width as f64)?;
            set(&patch, "height", p.height as f64)?;
            set(&obj, "patch", patch)?;
            list.push(&obj);
        }
        Ok(list)
    }
}

pub(crate) fn layer_list(layers: &[engine::LayerInfo]) -> JsResult<Array> {
    let list = Array::new();
    for l in layers {
        let obj = Object::new();
        set(&obj, "name", l.name.as_str())?;
        set(&obj, "op", l.op.as_str())?;
        set(&obj, "outputShape", usizes(&l.output_shape))?;
        set(&obj, "params", l.params as f64)?;
        set(&obj, "macs", l.macs as f64)?;
        set(&obj, "featureMap", l.feature_map)?;
        if let Some(field) = &l.receptive_field {
            let obj_field = Object::new();
            for (key, f) in ["rows", "columns"].iter().zip(field) {
                let axis = Object::new();
                set(&axis, "size", f.size as f64)?;
                set(&axis, "jump", f.jump as f64)?;
                set(&axis, "start", f.start as f64)?;
                set(&obj_field, key, axis)?;
            }
            set(&obj, "receptiveField", obj_field)?;
        }
        if let Some(w) = &l.window {
            let window = Object::new();
            set(&window, "kernel", usizes(&w.kernel))?;
            set(&window, "dilation", usizes(&w.dilation))?;
            set(
                &window,
                "stride",
                usizes(&[w.axes[0].stride, w.axes[1].stride]),
            )?;
            let pads = [w.axes[0].pad, w.axes[1].pad];
            set(
                &window,
                "padding",
                usizes(&[pads[0].before, pads[0].after, pads[1].before, pads[1].after]),
            )?;
            set(&obj, "window", window)?;
        }
        list.push(&obj);
    }
    Ok(list)
}

#[wasm_bindgen(js_class = Model)]
impl JsModel {
    /// The frozen features of several inputs (one after the other in `inputs`): layer `layer`'s
    /// output for each, flattened, `{ count, dim, data: Float32Array (count × dim) }`.
    pub fn features(&self, inputs: JsValue, layer: JsValue) -> JsResult<Object> {
        let (count, dim, data) = self
            .model
            .features(&floats("inputs", &inputs)?, whole("layer", &layer)?)
            .map_err(core_error)?;
        let obj = Object::new();
        set(&obj, "count", count as f64)?;
        set(&obj, "dim", dim as f64)?;
        set(&obj, "data", Float32Array::from(data.as_slice()))?;
        Ok(obj)
    }
}
