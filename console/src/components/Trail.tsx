import dagre from '@dagrejs/dagre';
import { Background, Controls, type Edge, MarkerType, type Node, Position, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { TrailView } from '../api/views.ts';
import { formatMoney, maskAccount } from '../lib/money.ts';

const NODE_W = 230;
const NODE_H = 78;

/**
 * Lays the trail out left to right by hop with dagre: one node per instruction (account), one
 * "not followed" node per edge that was not followed, drawn dashed with its reason.
 */
export function layoutTrail(trail: TrailView): { nodes: Node[]; edges: Edge[] } {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 230 });
  g.setDefaultEdgeLabel(() => ({}));
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  for (const n of trail.nodes) {
    g.setNode(n.instructionId, { width: NODE_W, height: NODE_H });
    nodes.push({
      id: n.instructionId,
      position: { x: 0, y: 0 },
      className: `trail-node status-${n.status}`,
      data: {
        label: (
          <div>
            <strong>
              {n.bankId} {maskAccount(n.accountNumber)}
            </strong>
            <div>
              hop {n.hop} · {n.status.replace(/_/g, ' ')}
            </div>
            <div>
              {formatMoney(n.frozen)} / {formatMoney(n.requested)}
            </div>
          </div>
        ),
      },
      style: { width: NODE_W },
      sourcePosition: Position.Right,
      targetPosition: Position.Left,
    });
  }
  trail.edges.forEach((e, i) => {
    const amount = formatMoney(e.amount);
    let target = e.toInstructionId;
    if (!e.followed || !target) {
      target = `not-followed-${i}`;
      g.setNode(target, { width: NODE_W, height: NODE_H });
      nodes.push({
        id: target,
        position: { x: 0, y: 0 },
        className: 'trail-node not-followed',
        data: {
          label: (
            <div>
              <strong>
                {e.toBankId} {maskAccount(e.toAccount)}
              </strong>
              <div>not followed: {e.reasonNotFollowed ?? '–'}</div>
            </div>
          ),
        },
        style: { width: NODE_W },
        sourcePosition: Position.Right,
        targetPosition: Position.Left,
      });
    }
    if (!g.hasNode(e.fromInstructionId)) return;
    g.setEdge(e.fromInstructionId, target);
    edges.push({
      id: `e${i}`,
      source: e.fromInstructionId,
      target,
      label: e.followed ? amount : `${amount} · ${e.reasonNotFollowed ?? 'not followed'}`,
      className: e.followed ? 'followed' : 'not-followed',
      style: e.followed ? { strokeWidth: 2 } : { strokeDasharray: '6 4', stroke: '#a4262c' },
      markerEnd: { type: MarkerType.ArrowClosed },
    });
  });
  dagre.layout(g);
  for (const n of nodes) {
    const p = g.node(n.id);
    if (p) n.position = { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2 };
  }
  return { nodes, edges };
}

export function TrailGraph({ trail }: { trail: TrailView }) {
  const { nodes, edges } = useMemo(() => layoutTrail(trail), [trail]);
  return (
    <div className="trail" data-testid="trail-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        minZoom={0.1}
        nodesDraggable={false}
        nodesConnectable={false}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

/** The same trail as text: the graph's alternative for screen readers and narrow screens. */
export function TrailList({ trail }: { trail: TrailView }) {
  const byId = new Map(trail.nodes.map((n) => [n.instructionId, n]));
  return (
    <ol className="trail-list" data-testid="trail-list">
      {trail.nodes.map((n) => (
        <li key={n.instructionId} data-testid={`trail-node-${n.instructionId}`}>
          hop {n.hop}: {n.bankId} {maskAccount(n.accountNumber)} — {n.status.replace(/_/g, ' ')}, frozen{' '}
          {formatMoney(n.frozen)} of {formatMoney(n.requested)}
          <ul>
            {trail.edges
              .filter((e) => e.fromInstructionId === n.instructionId)
              .map((e) => (
                <li key={`${e.toBankId}-${e.toAccount}-${e.amount.minor}`}>
                  → {e.toBankId} {maskAccount(e.toAccount)} {formatMoney(e.amount)}{' '}
                  {e.followed
                    ? `followed (hop ${byId.get(e.toInstructionId ?? '')?.hop ?? n.hop + 1})`
                    : `not followed: ${e.reasonNotFollowed ?? '–'}`}
                </li>
              ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
