// What the scan tells an operator whose servos do not all answer: the hint names what to check.
import { describe, expect, it } from 'vitest';
import { hintFor } from '../../../core/robot/scan.ts';
import { SO100_IDS, SO100_JOINTS } from '../../../core/robot/so100.ts';

const expected = { ids: SO100_IDS, joints: SO100_JOINTS };
const found = (...ids: number[]) => ids.map((id) => ({ id, model: 777, joint: SO100_JOINTS[id - 1] }));
const missing = (...ids: number[]) => ids.map((id) => ({ id, joint: SO100_JOINTS[id - 1] }));

describe('the scan hint', () => {
  it('says nothing when every servo answered', () => {
    expect(hintFor(found(1, 2, 3, 4, 5, 6), [], [], expected)).toBeUndefined();
  });

  it('no servo at all: power first, then the connector, the jumpers and the baud rate', () => {
    expect(hintFor([], missing(1, 2, 3, 4, 5, 6), [], expected)).toMatch(
      /No servo answered.*servo power supply is on.*jumpers.*1,000,000/s,
    );
  });

  it('the chain stops after servo 2: the cable from 2 to 3', () => {
    expect(hintFor(found(1, 2), missing(3, 4, 5, 6), [], expected)).toMatch(
      /every servo up to servo 2 \(shoulder_lift\) did.*cable from servo 2 \(shoulder_lift\) to servo 3 \(elbow_flex\)/,
    );
  });

  it('one servo missing in the middle: not the cable, its id', () => {
    expect(hintFor(found(1, 2, 4, 5, 6), missing(3), [], expected)).toMatch(
      /servo 3 \(elbow_flex\) did not answer although servos further along the chain did.*another id/,
    );
  });

  it('garbled replies: two servos share an id', () => {
    expect(hintFor(found(2, 3, 4, 5, 6), missing(1), [1], expected)).toMatch(
      /servo 1 \(shoulder_pan\) answered garbled: two servos probably share that id/,
    );
  });
});
