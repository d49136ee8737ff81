// Entry point of the playground page: loads the wasm module once, then mounts the widgets.
import init, * as api from './pkg/cnn_playground.js';
import { mountConvExplainer } from './widgets/conv-explainer.js';
import { mountEdgeLab } from './widgets/edge-lab.js';
import { mountPoolExplainer } from './widgets/pool-explainer.js';
import { mountNetworkShapes } from './widgets/network-shapes.js';
import { mountVolumeLab } from './widgets/volume-lab.js';
import { mountGeneralize } from './widgets/generalize.js';
import { mountLocalization } from './widgets/localization.js';
import { mountIouLab } from './widgets/iou-lab.js';
import { mountYoloGrid } from './widgets/yolo-grid.js';
import { mountDetectorLab } from './widgets/detector-lab.js';
import { mountFaceLab } from './widgets/face-lab.js';
import { mountSlidingWindows } from './widgets/sliding-windows.js';
import { mountLenetLab } from './widgets/lenet-lab.js';
import { mountExplorer } from './widgets/explorer.js';
import { mountBottleneck } from './widgets/bottleneck.js';
import { mountResidual } from './widgets/residual.js';
import { mountAugmentation } from './widgets/augmentation.js';
import { mountTransfer } from './widgets/transfer.js';

const status = document.getElementById('status');

try {
  await init();
} catch (e) {
  status.textContent = `Could not load the WebAssembly module: ${e.message}`;
  status.classList.add('error');
  throw e;
}

mountConvExplainer(document.getElementById('conv-explainer'), api);
mountEdgeLab(document.getElementById('edge-lab'), api);
mountVolumeLab(document.getElementById('volume-lab'), api);
mountPoolExplainer(document.getElementById('pool-explainer'), api);
mountNetworkShapes(document.getElementById('network-shapes'), api);
mountGeneralize(document.getElementById('generalize'), api);
mountLenetLab(document.getElementById('lenet-lab'), api);
mountExplorer(document.getElementById('explorer'), api);
mountResidual(document.getElementById('residual'), api);
mountBottleneck(document.getElementById('bottleneck'), api);
mountTransfer(document.getElementById('transfer'), api);
mountAugmentation(document.getElementById('augmentation'), api);
mountLocalization(document.getElementById('localization'), api);
mountSlidingWindows(document.getElementById('sliding-windows'), api);
mountIouLab(document.getElementById('iou-lab'), api);
mountYoloGrid(document.getElementById('yolo-grid'), api);
mountDetectorLab(document.getElementById('detector-lab'), api);
mountFaceLab(document.getElementById('face-lab'), api);
status.textContent = 'Ready.';
document.documentElement.dataset.ready = 'true';
