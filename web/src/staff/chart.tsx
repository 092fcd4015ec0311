import './messages.ts';
import { TableScroll } from '../ui.tsx';

/**
 * A labelled horizontal bar chart in inline SVG (no chart library to ship), followed by the same
 * figures as a table: screen readers get the table, the SVG is `role=img` with a title and description.
 */
export function BarChart(props: {
  id: string;
  title: string;
  desc: string;
  rows: readonly { label: string; value: number }[];
}) {
  const max = Math.max(1, ...props.rows.map((r) => r.value));
  const rowH = 30;
  const labelW = 130;
  const barW = 360;
  const height = props.rows.length * rowH + 10;
  return (
    <figure class="chart">
      <svg
        role="img"
        aria-labelledby={`${props.id}-title ${props.id}-desc`}
        viewBox={`0 0 ${labelW + barW + 50} ${height}`}
        width="100%"
        style={{ maxWidth: `${labelW + barW + 50}px` }}
      >
        <title id={`${props.id}-title`}>{props.title}</title>
        <desc id={`${props.id}-desc`}>{props.desc}</desc>
        {props.rows.map((r, i) => {
          const y = i * rowH + 5;
          const w = Math.round((r.value / max) * barW);
          return (
            <g key={r.label}>
              <text x={labelW - 8} y={y + 18} text-anchor="end" font-size="13" fill="#1a1a1a">
                {r.label}
              </text>
              <rect x={labelW} y={y + 4} width={Math.max(w, 1)} height={rowH - 10} fill="#0b5cad" />
              <text x={labelW + Math.max(w, 1) + 6} y={y + 18} font-size="13" fill="#1a1a1a">
                {r.value}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{props.title}</figcaption>
      <TableScroll label={props.title}>
        <table aria-label={props.title}>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                <td>{r.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </figure>
  );
}
