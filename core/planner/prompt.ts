// The planner's prompt, after the paper's released single-agent prompt: the robot API, the
// conventions, the task and the textual scene state. Templates are versioned and every attempt
// stores the exact messages and the version.
import { formatSceneState } from '../sim/scene-state.ts';
import type { SceneState } from '../../api/types.ts';
import type { ChatMessage } from '../../api/types.ts';
import type { ProgramFormat } from '../../api/types.ts';

export const PROMPT_TEMPLATE_VERSION = 'blazer-prompt-v1';

export interface FewShotExample {
  instruction: string;
  state: SceneState;
  /** The answer: a Python program (code format) or a JSON plan (json format). */
  answer: string;
}

const ROBOT_API = `You control a robot arm with a gripper above a table, through these Python functions:
- open_gripper(): open the gripper.
- close_gripper(object_name=None): close the gripper (name the object you grasp).
- move_gripper(position, yaw): move the gripper, always pointing straight down, so that the point
  between its fingers is at position [x, y, z] (metres), turned by yaw (radians, anticlockwise
  about z; 0 means the fingers close along the y axis). Returns a dict with "status"
  ("reached", "unreachable", "blocked", "timeout") and "message".
- execute_trajectory(position, orientation): the same as move_gripper.
- task_completed(): stop; the task is done.
The scene is readable as objects["name"] with .position (x, y, z centre), .yaw and .size (l, w, h),
and gripper with .position, .yaw and .opening. Only the math module may be imported.`;

const CONVENTIONS = `Conventions: x points away from the robot, y to its left, z up; the table top is at z = 0.
Positions are centres of objects in metres; sizes are full lengths (l along the object's own x,
w along its y, h up). Grasp an object at its centre with the gripper's yaw equal to the object's
yaw. Approach and leave every grasp or release point from 0.1 m above it. Release an object 0.02 m
above the top surface of where it goes. Add waypoints to go around other objects.`;

const CODE_FORMAT = `Answer in three parts: first describe how the objects relate in space, then write a short
step-by-step plan, then give one Python code block (\`\`\`python ... \`\`\`) that calls the functions.`;

const JSON_FORMAT = `Answer with only a JSON object {"steps": [...]} where each step is one of
{"primitive": "open_gripper"}, {"primitive": "close_gripper"} or
{"primitive": "move_gripper", "position": [x, y, z], "yaw": yaw}.`;

export function systemPrompt(format: ProgramFormat): string {
  return [ROBOT_API, CONVENTIONS, format === 'code' ? CODE_FORMAT : JSON_FORMAT].join('\n\n');
}

export function userPrompt(instruction: string, state: SceneState): string {
  return `Task: ${instruction}\n\nScene state:\n${formatSceneState(state)}`;
}

export function buildPrompt(
  instruction: string,
  state: SceneState,
  format: ProgramFormat,
  examples: FewShotExample[] = [],
): ChatMessage[] {
  return [
    { role: 'system', content: systemPrompt(format) },
    ...examples.flatMap((e): ChatMessage[] => [
      { role: 'user', content: userPrompt(e.instruction, e.state) },
      { role: 'assistant', content: e.answer },
    ]),
    { role: 'user', content: userPrompt(instruction, state) },
  ];
}
