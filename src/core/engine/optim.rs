//! tract's optimiser driver, applying patches without searching the model for each added node.
//!
//! tract-core 0.23.9's `ModelPatch::apply` (`src/model/patch.rs` lines 306-318) compares every
//! node a patch adds with every node of the model (`dyn_eq`), and the `continue` there only moves
//! on to the next model node, so the node is added anyway: the search changes nothing and costs
//! patches × nodes. Profiled in Chromium's wasm, loading the face encoder spent a fifth of its
//! time in that search. `examples/optimise_repro.rs` is the reproduction to report upstream.
//!
//! [`apply`] is `ModelPatch::apply` without that search, and [`run`] is tract's
//! `OptimizerSession::optimize` calling it. Both go through tract's public API; the passes, and the
//! patches they propose, are tract's. The tests check, natively and in the browser, that the plans
//! are tract's own node for node (`common::check_optimiser`) and that no op is compared while a
//! patch is applied (`common::check_patch_comparisons`).

use std::collections::HashSet;

use anyhow::{ensure, Context};

use tract_onnx::prelude::*;
use tract_onnx::tract_core::model::{ModelPatch, SpecialOps, STAGE_OPTIMIZED, TRACT_STAGE};
use tract_onnx::tract_core::optim::Optimizer;

/// Runs `optimizer`'s passes on `model` until none proposes a change, as tract's
/// `OptimizerSession::optimize` does (each pass repeated while it changes the model, the graph
/// compacted after each, the whole list repeated while any pass changed it; a patch marked
/// `dont_apply_twice` is applied once per run), applying each patch with [`apply`].
/// `optimizer.steps` must be `None` (the engine never stops early).
pub fn run(optimizer: &Optimizer, model: &mut TypedModel) -> TractResult<()> {
    ensure!(
        optimizer.steps.is_none(),
        "the engine's optimiser runs every pass to the end"
    );
    let _proof_cache = model.symbols.proof_cache_session();
    model.check_consistency()?;
    model.compact()?;
    let mut session = optimizer.session();
    let mut seen = HashSet::new();
    let mut applied = 0usize;
    for round in 0.. {
        let before_round = applied;
        let mut passes = optimizer.passes.clone();
        for pass in passes.iter_mut() {
            loop {
                let before_pass = applied;
                pass.reset()?;
                while let Some(mut patch) = pass.next(&mut session, model)? {
                    if let Some(watchdog) = patch.dont_apply_twice.take() {
                        if !seen.insert(watchdog) {
                            continue;
                        }
                    }
                    patch.push_context(format!("{pass:?}/{round}"));
                    apply(patch, model)?;
                    applied += 1;
                }
                pass.run_direct(model)?;
                model.check_consistency()?;
                if applied == before_pass {
                    break;
                }
                model.compact()?;
            }
            model.compact()?;
        }
        if applied == before_round {
            break;
        }
        model.compact()?;
    }
    Ok(())
}

/// tract's code generation ([`Optimizer::codegen`]: kernels chosen, weights packed, ops fused) run
/// by [`run`], marking `model` with tract's "optimized" stage property as `TypedModel::optimize`
/// does.
pub fn codegen(model: &mut TypedModel) -> TractResult<()> {
    run(&Optimizer::codegen(), model)?;
    model.properties.insert(
        TRACT_STAGE.to_string(),
        rctensor0(STAGE_OPTIMIZED.to_string()),
    );
    Ok(())
}

/// Applies `patch` to `target`: tract-core 0.23.9's `ModelPatch::apply` without its search for a
/// model node equal to each added node (whose result it discards). The patch's nodes are added
/// (its taps are not: they stand for model wires), wired to the model outlets its taps map to;
/// the model outlets it shunts are replaced by the patch's wires in every successor, output and
/// label; the nodes it obliterates become dummies, and so do the shunted nodes left without a use;
/// an added node whose name is taken gets tract's `unique_name`. Costs the patch's size plus one
/// pass over the model's node names per added node, as tract's name check does.
pub fn apply(patch: TypedModelPatch, target: &mut TypedModel) -> TractResult<()> {
    let context = patch
        .context
        .iter()
        .rev()
        .cloned()
        .collect::<Vec<_>>()
        .join(" >> ");
    apply_inner(patch, target).with_context(|| format!("Applying patch {context}"))
}

fn apply_inner(patch: TypedModelPatch, target: &mut TypedModel) -> TractResult<()> {
    let ModelPatch {
        model: patch,
        taps: mut mapping,
        shunts,
        obliterate,
        inputs: replaced_inputs,
        ..
    } = patch;
    let mut all_inputs = Vec::new();
    let mut model_input_outlets = target.input_outlets()?.to_vec();
    let mut new_nodes = Vec::new();
    for node in patch.nodes {
        if TypedModel::is_source(&node.op) && mapping.contains_key(&OutletId::new(node.id, 0)) {
            continue;
        }
        let Node {
            id: patch_node_id,
            name,
            inputs,
            op,
            outputs,
        } = node;
        let n_outputs = outputs.len();
        let facts = outputs.into_iter().map(|of| of.fact).collect();
        let added = target.add_node(name, op, facts)?;
        new_nodes.push(added);
        for ix in 0..n_outputs {
            mapping.insert(OutletId::new(patch_node_id, ix), OutletId::new(added, ix));
        }
        all_inputs.push((added, inputs));
        if TypedModel::is_source(&target.node(added).op) {
            let replaced = *replaced_inputs
                .get(&patch_node_id)
                .context("a patch's source replaces no model input")?;
            for outlet in model_input_outlets.iter_mut() {
                if outlet.node == replaced {
                    outlet.node = added;
                }
            }
        }
    }
    let wire = |o: &OutletId| {
        mapping
            .get(o)
            .copied()
            .with_context(|| format!("a patch wire {o:?} leads nowhere"))
    };
    let mut shunted: Vec<(OutletId, OutletId)> = shunts.iter().map(|(a, b)| (*a, *b)).collect();
    shunted.sort();
    for &(old, by) in &shunted {
        let by = wire(&by)?;
        let successors = target.nodes()[old.node].outputs[old.slot]
            .successors
            .clone();
        for successor in successors {
            target.add_edge(by, successor)?;
        }
        for output in target.outputs.iter_mut() {
            if *output == old {
                *output = by;
            }
        }
        if let Some(label) = target.outlet_labels.remove(&old) {
            target.set_outlet_label(by, label)?;
        }
    }
    for (node, inputs) in &all_inputs {
        for (ix, input) in inputs.iter().enumerate() {
            target.add_edge(wire(input)?, InletId::new(*node, ix))?;
        }
    }
    for node in obliterate {
        target.node_mut(node).op = target.create_dummy();
    }
    target.set_input_outlets(&model_input_outlets)?;
    let mut maybe_garbage: HashSet<usize> = shunted.iter().map(|(old, _)| old.node).collect();
    while let Some(&maybe) = maybe_garbage.iter().next() {
        maybe_garbage.remove(&maybe);
        if !target.outputs.iter().any(|output| output.node == maybe)
            && !target.inputs.iter().any(|input| input.node == maybe)
            && target
                .node(maybe)
                .outputs
                .iter()
                .all(|of| of.successors.is_empty())
        {
            target.node_mut(maybe).op = target.create_dummy();
            target.node_mut(maybe).name = format!("Dummy-node-{maybe}");
            target.node_mut(maybe).outputs.clear();
            let inputs = std::mem::take(&mut target.node_mut(maybe).inputs);
            for &i in &inputs {
                target.node_mut(i.node).outputs[i.slot]
                    .successors
                    .retain(|s| s.node != maybe);
                maybe_garbage.insert(i.node);
            }
            target.check_edges()?;
        }
    }
    for &n in &new_nodes {
        if let Some((prefix, _)) = target.nodes[n].name.split_once('#') {
            let prefix = prefix.to_string();
            target.nodes[n].name = target.unique_name(prefix).into();
        } else if target
            .nodes
            .iter()
            .any(|node| node.id != n && target.nodes[n].name == node.name)
        {
            let name = target.nodes[n].name.clone();
            target.nodes[n].name = target.unique_name(name).to_string();
        }
    }
    Ok(())
}
