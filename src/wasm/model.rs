//! Trained ONNX models in the JavaScript API: `loadModel(bytes)` → a `Model` that tract runs.

use wasm_bindgen::prelude::*;

use js_sys::{Array, Object};

use super::{core_error, dims, floats, is_missing, output, set, usizes, JsResult};
use crate::engine;

/// A loaded ONNX model (see `loadModel`): its input and output shapes and `run`.
#[wasm_bindgen(js_name = Model)]
pub struct JsModel {
    model: engine::Model,
}

/// Loads an ONNX model from its bytes (`Uint8Array`) with tract and optimises it for one input
/// shape: `inputShape` when given (for fully convolutional models with symbolic height and width),
/// otherwise the file's, with a symbolic batch axis set to 1. Throws an `Error` naming the cause
/// for bytes that are not ONNX, a file over 64 MiB, several inputs, unknown input sizes, a shape
/// that does not fit, or an op tract cannot run.
#[wasm_bindgen(js_name = loadModel)]
pub fn load_model(bytes: &[u8], input_shape: JsValue) -> JsResult<JsModel> {
    let shape = if is_missing(&input_shape) {
        None
    } else {
        Some(dims(
            "inputShape",
            &input_shape,
            "an array of whole numbers",
        )?)
    };
    Ok(JsModel {
        model: engine::Model::load_with_input_shape(bytes, shape.as_deref()).map_err(core_error)?,
    })
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

    /// The model's nodes in file order: `[{ name, op, outputShape, params, macs, featureMap }]`
    /// (shapes from tract's analysis of the graph; parameters from the node's weights;
    /// multiply-adds for `Conv`, `Gemm` and `MatMul`).
    pub fn layers(&self) -> JsResult<Array> {
        layer_list(self.model.layers())
    }

    /// Sum of the layers' parameters.
    #[wasm_bindgen(js_name = totalParams)]
    pub fn total_params(&self) -> f64 {
        self.model.layers().iter().map(|l| l.params as f64).sum()
    }

    /// The feature maps of one run on `input`: `[{ layer, shape, data }]` for every layer whose
    /// output is `[1, c, h, w]` (`layer` indexes `layers()`), taken from the real graph.
    #[wasm_bindgen(js_name = featureMaps)]
    pub fn feature_maps(&self, input: JsValue) -> JsResult<Array> {
        let input = floats("input", &input)?;
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

fn layer_list(layers: &[engine::LayerInfo]) -> JsResult<Array> {
    let list = Array::new();
    for l in layers {
        let obj = Object::new();
        set(&obj, "name", l.name.as_str())?;
        set(&obj, "op", l.op.as_str())?;
        set(&obj, "outputShape", usizes(&l.output_shape))?;
        set(&obj, "params", l.params as f64)?;
        set(&obj, "macs", l.macs as f64)?;
        set(&obj, "featureMap", l.feature_map)?;
        list.push(&obj);
    }
    Ok(list)
}

/// The classic architectures: `[{ name, label }]` (LeNet-5, AlexNet, VGG-16, ResNet-34, an
/// Inception module, GoogLeNet).
#[wasm_bindgen(js_name = architectures)]
pub fn architectures() -> JsResult<Array> {
    let list = Array::new();
    for (name, label) in crate::architectures::ARCHITECTURES {
        let obj = Object::new();
        set(&obj, "name", *name)?;
        set(&obj, "label", *label)?;
        list.push(&obj);
    }
    Ok(list)
}

/// Architecture `name` built as an ONNX graph whose weights are declared by shape only, analysed
/// by tract: its layer table as `Model.layers()` gives it, without allocating the weights.
#[wasm_bindgen(js_name = analyseArchitecture)]
pub fn analyse_architecture(name: JsValue) -> JsResult<Array> {
    let Some(name) = name.as_string() else {
        return Err(JsError::new("name must be a string"));
    };
    let bytes = crate::architectures::build(&name).map_err(core_error)?;
    layer_list(&engine::analyse(&bytes).map_err(core_error)?)
}

/// Lecture 17's cost of a same `f × f` convolution to `filters` channels on `h × w × cIn`, direct
/// or through a 1×1 bottleneck of `reduce` channels: `{ direct, reduce, conv, total }`
/// multiplications.
#[wasm_bindgen(js_name = bottleneckCost)]
pub fn bottleneck_cost(
    h: JsValue,
    w: JsValue,
    c_in: JsValue,
    f: JsValue,
    filters: JsValue,
    reduce: JsValue,
) -> JsResult<JsValue> {
    let cost = crate::network::bottleneck_cost(
        super::whole("h", &h)?,
        super::whole("w", &w)?,
        super::whole("cIn", &c_in)?,
        super::whole("f", &f)?,
        super::whole("filters", &filters)?,
        super::whole("reduce", &reduce)?,
    )
    .map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "direct", cost.direct as f64)?;
    set(&obj, "reduce", cost.reduce as f64)?;
    set(&obj, "conv", cost.conv as f64)?;
    set(&obj, "total", cost.total as f64)?;
    Ok(obj.into())
}

/// Lecture 15's residual block run by tract on `input` (`[1, c, h, w]` given by `shape`) with its
/// weights scaled by `scale` (0: the block is the identity): `{ shape, data }` of `a[l+2]`.
#[wasm_bindgen(js_name = residualBlock)]
pub fn residual_block(input: JsValue, shape: JsValue, scale: JsValue) -> JsResult<JsValue> {
    let [n, c, h, w] = super::shape::<4>("shape", &shape, "[1, c, h, w]")?;
    let input = floats("input", &input)?;
    let scale = super::number("scale", &scale)?;
    let bytes = crate::architectures::residual_block(c, h, w, scale).map_err(core_error)?;
    output(super::with_engine(|e| {
        e.run(&bytes, &input, &[n, c, h, w])
    })?)
}
