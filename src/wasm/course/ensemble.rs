//! Lecture 22's ensemble and multi-crop ([`crate::course::ensemble`]).

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::core::engine::Model;
use crate::course::digits::{digit_set, DigitSet, LENET_SIDE};
use crate::course::ensemble;
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

/// Networks judged together on a digit set (lecture 22): add them one by one, then `report()`.
#[wasm_bindgen(js_name = Ensemble)]
pub struct JsEnsemble {
    set: DigitSet,
    models: Vec<Model>,
}

impl std::fmt::Debug for JsEnsemble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ensemble of {} networks", self.models.len())
    }
}

/// Most networks in one ensemble (each holds its own optimised plan).
const MAX_MEMBERS: usize = 16;

#[wasm_bindgen(js_class = Ensemble)]
impl JsEnsemble {
    /// An empty ensemble judged on the held-out digits file `heldOut` (`digitSet`'s format).
    #[wasm_bindgen(constructor)]
    pub fn new(held_out: JsValue) -> JsResult<JsEnsemble> {
        let set = digit_set(&bytes("heldOut", &held_out)?).map_err(core_error)?;
        Ok(JsEnsemble {
            set,
            models: Vec::new(),
        })
    }

    /// Adds the LeNet-5-like network in ONNX bytes `model` (input `[1, 1, 32, 32]`).
    pub fn add(&mut self, model: JsValue) -> JsResult<()> {
        if self.models.len() >= MAX_MEMBERS {
            return Err(JsError::new(&format!(
                "an ensemble here holds at most {MAX_MEMBERS} networks"
            )));
        }
        let shape = [1, 1, LENET_SIDE, LENET_SIDE];
        let m = Model::load_with_input_shape(&bytes("model", &model)?, Some(&shape))
            .map_err(core_error)?;
        self.models.push(m);
        Ok(())
    }

    /// `ensemble::evaluate` over the networks added: `{ count, members: number[], ensemble,
    /// fiveCrops, tenCrops, ensembleFiveCrops, fixedByEnsemble, brokenByEnsemble }` (fractions
    /// right, counts of digits).
    pub fn report(&self) -> JsResult<Object> {
        let models: Vec<&Model> = self.models.iter().collect();
        let r = ensemble::evaluate(&models, &self.set).map_err(core_error)?;
        let obj = Object::new();
        set(&obj, "count", r.count as f64)?;
        set(&obj, "members", numbers(r.members.iter().copied()))?;
        set(&obj, "ensemble", r.ensemble)?;
        set(&obj, "fiveCrops", r.five_crops)?;
        set(&obj, "tenCrops", r.ten_crops)?;
        set(&obj, "ensembleFiveCrops", r.ensemble_five_crops)?;
        set(&obj, "fixedByEnsemble", r.fixed_by_ensemble as f64)?;
        set(&obj, "brokenByEnsemble", r.broken_by_ensemble as f64)?;
        Ok(obj)
    }
}

/// The ten crops of a digit's LeNet-5 input (`ensemble::digit_crops`): an array of ten
/// `Float32Array [1, 32, 32]`, centre, four corners, then those mirrored.
#[wasm_bindgen(js_name = digitCrops)]
pub fn digit_crops(input: JsValue) -> JsResult<Array> {
    let input = floats("input", &input)?;
    let crops = ensemble::digit_crops(&input).map_err(core_error)?;
    Ok(crops
        .iter()
        .map(|c| JsValue::from(Float32Array::from(c.as_slice())))
        .collect())
}
