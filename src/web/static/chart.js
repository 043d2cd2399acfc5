// Line charts on a canvas for the training curves, redrawn whenever a point arrives.

const PADDING = { left: 44, right: 12, top: 12, bottom: 26 };
const AXIS_COLOR = '#4a4a4a';
const GRID_COLOR = '#dcdcdc';

function niceMax(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

function prepareCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d');
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  return { context, width, height };
}

function drawAxes(context, box, yMax, xMax, xLabel) {
  context.font = '11px system-ui, sans-serif';
  context.fillStyle = AXIS_COLOR;
  context.lineWidth = 1;
  for (let i = 0; i <= 4; i += 1) {
    const y = box.top + box.height - (i / 4) * box.height;
    context.strokeStyle = GRID_COLOR;
    context.beginPath();
    context.moveTo(box.left, y);
    context.lineTo(box.left + box.width, y);
    context.stroke();
    context.textAlign = 'right';
    context.textBaseline = 'middle';
    context.fillText(String(Number(((i / 4) * yMax).toPrecision(3))), box.left - 4, y);
  }
  context.textAlign = 'center';
  context.textBaseline = 'top';
  context.fillText(`${xLabel} 0`, box.left + 14, box.top + box.height + 6);
  context.fillText(
    String(Number(xMax.toPrecision(3))),
    box.left + box.width - 8,
    box.top + box.height + 6,
  );
}

/**
 * Draws `series` as lines on `canvas`, with x from 0 to `xMax` (or the largest x beyond it) and y
 * from 0 to `yMax` (rounded up from the largest value when omitted).
 *
 * @param {HTMLCanvasElement} canvas
 * @param {{series: {color: string, dash?: number[], points: {x: number, y: number}[]}[],
 *   yMax?: number, xMax?: number, xLabel?: string}} options
 */
export function drawLineChart(canvas, { series, yMax, xMax, xLabel = '' }) {
  const { context, width, height } = prepareCanvas(canvas);
  const box = {
    left: PADDING.left,
    top: PADDING.top,
    width: width - PADDING.left - PADDING.right,
    height: height - PADDING.top - PADDING.bottom,
  };
  const all = series.flatMap((line) => line.points);
  const right = Math.max(xMax ?? 1, ...all.map((point) => point.x));
  const top = yMax ?? niceMax(Math.max(0, ...all.map((point) => point.y)));
  drawAxes(context, box, top, right, xLabel);

  for (const line of series) {
    if (line.points.length === 0) continue;
    context.strokeStyle = line.color;
    context.fillStyle = line.color;
    context.lineWidth = 2;
    context.setLineDash(line.dash ?? []);
    context.beginPath();
    line.points.forEach((point, index) => {
      const x = box.left + (point.x / right) * box.width;
      const y = box.top + box.height - (Math.min(point.y, top) / top) * box.height;
      if (index === 0) context.moveTo(x, y);
      else context.lineTo(x, y);
    });
    context.stroke();
    context.setLineDash([]);
    if (line.points.length === 1) {
      const [point] = line.points;
      const x = box.left + (point.x / right) * box.width;
      const y = box.top + box.height - (Math.min(point.y, top) / top) * box.height;
      context.fillRect(x - 2, y - 2, 4, 4);
    }
  }
}
