import { useEffect, useId, useRef, useState } from 'react';

export interface Bar {
  label: string;
  /** For drawing only (a float of major units); the exact amount is `text`. */
  value: number;
  text: string;
}

/**
 * A bar chart drawn by Observable Plot (loaded with the regulator room only). One series in dark
 * grey with each value written at its bar, so it reads the same printed in grey-scale; the same
 * numbers are a table below it (the text alternative), and the SVG is labelled for screen readers.
 */
export function BarChart(props: {
  title: string;
  description: string;
  bars: Bar[];
  unit: string;
  horizontal?: boolean;
  /** The header of the label column in the text alternative ("Day", "Bank"). */
  labelName: string;
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | undefined>();
  const id = useId();
  const { bars, horizontal, unit, title, description } = props;
  useEffect(() => {
    let live = true;
    import('@observablehq/plot').then(
      (Plot) => {
        const el = box.current;
        if (!live || !el) return;
        const width = Math.max(280, Math.min(el.clientWidth || 600, 900));
        const longest = Math.max(4, ...bars.map((b) => b.label.length));
        const svg = horizontal
          ? Plot.plot({
              width,
              height: 40 + bars.length * 32,
              marginLeft: Math.min(170, 24 + longest * 8),
              marginRight: 110,
              ariaLabel: title,
              ariaDescription: description,
              style: { fontSize: '12px', background: '#fff', color: '#1b1f24' },
              x: { label: unit, grid: true, nice: true },
              y: { label: null, domain: bars.map((b) => b.label) },
              marks: [
                Plot.barX(bars, { y: 'label', x: 'value', fill: '#3d4751' }),
                Plot.text(bars, {
                  y: 'label',
                  x: 'value',
                  text: 'text',
                  textAnchor: 'start',
                  dx: 4,
                  fill: '#1b1f24',
                }),
                Plot.ruleX([0]),
              ],
            })
          : Plot.plot({
              width,
              height: 260,
              marginBottom: 50,
              marginTop: 24,
              marginLeft: 80,
              marginRight: 20,
              ariaLabel: title,
              ariaDescription: description,
              style: { fontSize: '12px', background: '#fff', color: '#1b1f24' },
              x: {
                label: null,
                domain: bars.map((b) => b.label),
                tickRotate: bars.length > 6 ? -35 : 0,
                padding: bars.length < 4 ? 0.5 : 0.15,
              },
              y: { label: unit, grid: true, nice: true },
              marks: [
                Plot.barY(bars, { x: 'label', y: 'value', fill: '#3d4751' }),
                Plot.text(bars, { x: 'label', y: 'value', text: 'text', dy: -8, fill: '#1b1f24' }),
                Plot.ruleY([0]),
              ],
            });
        // One labelled image for assistive technology: Plot labels its inner groups ("bar",
        // "x-axis tick"), which ARIA forbids on a <g> without a role; the table below carries the data.
        for (const inner of svg.querySelectorAll('[aria-label], [aria-description]')) {
          inner.removeAttribute('aria-label');
          inner.removeAttribute('aria-description');
        }
        svg.setAttribute('role', 'img');
        svg.setAttribute('aria-label', `${title}. ${description} The values are in the table below.`);
        svg.removeAttribute('aria-description');
        el.replaceChildren(svg);
      },
      (error: unknown) => live && setFailed(String(error)),
    );
    return () => {
      live = false;
    };
  }, [bars, horizontal, unit, title, description]);
  return (
    <figure className="chart" aria-labelledby={`${id}-c`} data-testid={props.testId}>
      <figcaption id={`${id}-c`}>{title}</figcaption>
      {failed ? <p className="state error">The chart could not be drawn: {failed}</p> : null}
      <div ref={box} className="chart-box" />
      <details>
        <summary>{title}: as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{props.labelName}</th>
              <th scope="col">{unit}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.label}>
                <td>{b.label}</td>
                <td>{b.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
