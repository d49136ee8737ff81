//! Where a model's run spends its time, node by node of tract's optimised plan: the first step
//! before any speed work (which kernel, which layout), measured where the page runs it.

use anyhow::{ensure, Result};
use tract_onnx::prelude::*;
use tract_onnx::tract_core::plan::eval;

use super::{Model, Plan};
use crate::core::error::Plainly;
use crate::core::geometry::check_tensor;

/// Most runs one profile takes.
pub const MAX_PROFILE_RUNS: usize = 100;

/// One node of the optimised plan and its time.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTime {
    /// The node's name in tract's optimised graph (after fusing: often the ONNX node it came from).
    pub name: String,
    /// tract's op, e.g. `OptMatMul`, `DepthWise`, `MaxPool2x2`.
    pub op: String,
    /// The median of its time over the runs, milliseconds.
    pub ms: f64,
}

/// Runs `plan` `runs` times on `input` (of `shape`), timing each node with `clock`
/// (milliseconds, e.g. the browser's `performance.now()`), and returns each node's median time,
/// slowest first. Nodes that hold constants take no time and are left out.
pub(crate) fn profile_plan(
    plan: &Plan,
    input: &[f32],
    shape: &[usize],
    runs: usize,
    clock: &dyn Fn() -> f64,
) -> Result<Vec<NodeTime>> {
    ensure!(
        (1..=MAX_PROFILE_RUNS).contains(&runs),
        "a profile takes 1 to {MAX_PROFILE_RUNS} runs, not {runs}"
    );
    let nodes = plan.model().nodes();
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(runs); nodes.len()];
    for _ in 0..runs {
        let mut state = plan
            .spawn()
            .plainly(|| "tract cannot start a run of this model")?;
        let tensor = Tensor::from_shape(shape, input)?;
        state
            .run_plan_with_eval(
                tvec!(tensor.into_tvalue()),
                |ctx, op_state, node, inputs| {
                    let t0 = clock();
                    let out = eval(ctx, op_state, node, inputs);
                    times[node.id].push(clock() - t0);
                    out
                },
            )
            .plainly(|| "tract failed to run the model on this input")?;
    }
    let mut out: Vec<NodeTime> = nodes
        .iter()
        .zip(times)
        .filter(|(_, t)| !t.is_empty())
        .map(|(node, mut t)| {
            t.sort_by(f64::total_cmp);
            NodeTime {
                name: node.name.clone(),
                op: node.op.name().to_string(),
                ms: t[t.len() / 2],
            }
        })
        .collect();
    out.sort_by(|a, b| b.ms.total_cmp(&a.ms));
    Ok(out)
}

impl Model {
    /// [`profile_plan`] of this model's plan: each node's median time over `runs` runs on
    /// `input` (`Π input_shape` values), slowest first, by `clock` in milliseconds.
    pub fn profile(
        &self,
        input: &[f32],
        runs: usize,
        clock: &dyn Fn() -> f64,
    ) -> Result<Vec<NodeTime>> {
        check_tensor("input", input, self.input_shape())?;
        profile_plan(self.plan(), input, self.input_shape(), runs, clock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::graph::{encode, GraphBuilder};
    use std::cell::Cell;

    #[test]
    fn every_node_that_runs_gets_a_time() {
        let mut g = GraphBuilder::new("profiled", &[1, 1, 8, 8]);
        let x = g.input();
        let y = g.conv(&x, (&[2, 1, 3, 3], &[0.5; 18]), None, &[1; 4], &[1, 1], 1);
        let y = g.relu(&y);
        let y = g.max_pool(&y, &[2, 2], &[2, 2], &[0; 4]);
        let model = Model::load(&encode(&g.finish(&y))).unwrap();
        // A clock that ticks by 1 ms each time it is read: every node takes exactly 1 ms.
        let now = Cell::new(0.0);
        let clock = || {
            now.set(now.get() + 1.0);
            now.get()
        };
        let nodes = model.profile(&[1.0; 64], 3, &clock).unwrap();
        assert!(!nodes.is_empty());
        assert!(nodes.iter().all(|n| n.ms == 1.0), "{nodes:?}");
        assert!(nodes.iter().any(|n| n.op == "MaxPool2x2"), "{nodes:?}");
        assert_eq!(
            model
                .profile(&[1.0; 64], 0, &clock)
                .unwrap_err()
                .to_string(),
            "a profile takes 1 to 100 runs, not 0"
        );
        assert!(model.profile(&[1.0; 63], 1, &clock).is_err());
    }
}
