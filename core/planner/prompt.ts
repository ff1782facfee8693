// The planner's prompt, after the paper's released single-agent prompt: the robot API, the
// conventions, the task and the textual scene state. Templates are versioned and every attempt
// stores the exact messages and the version; an older template stays here unchanged so its
// prompts can be rebuilt exactly (v1 is the paper's; v2 says what v1 left a model to guess).
import { formatSceneState, sceneStateAs } from '../sim/scene-state.ts';
import type { ChatMessage, ProgramFormat, SceneState } from '../../api/types.ts';
import {
  SAFE_HEIGHT,
  RELEASE_CLEARANCE,
  TALL_GRASP_DEPTH,
  FINGERTIP_BELOW_GRIPPER,
  FINGER_HEIGHT,
} from '../sim/skills.ts';

export type PromptTemplateVersion = 'blazer-prompt-v1' | 'blazer-prompt-v2';
/** The template new attempts and generation runs use. */
export const PROMPT_TEMPLATE_VERSION: PromptTemplateVersion = 'blazer-prompt-v2';

export interface FewShotExample {
  instruction: string;
  state: SceneState;
  /** The answer: a Python program (code format) or a JSON plan (json format). */
  answer: string;
}

const ROBOT_API_V1 = `You control a robot arm with a gripper above a table, through these Python functions:
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

const CONVENTIONS_V1 = `Conventions: x points away from the robot, y to its left, z up; the table top is at z = 0.
Positions are centres of objects in metres; sizes are full lengths (l along the object's own x,
w along its y, h up). Grasp an object at its centre with the gripper's yaw equal to the object's
yaw. Approach and leave every grasp or release point from 0.1 m above it. Release an object 0.02 m
above the top surface of where it goes. Add waypoints to go around other objects.`;

const CODE_FORMAT_V1 = `Answer in three parts: first describe how the objects relate in space, then write a short
step-by-step plan, then give one Python code block (\`\`\`python ... \`\`\`) that calls the functions.`;

const JSON_FORMAT = `Answer with only a JSON object {"steps": [...]} where each step is one of
{"primitive": "open_gripper"}, {"primitive": "close_gripper"} or
{"primitive": "move_gripper", "position": [x, y, z], "yaw": yaw}.`;

const ROBOT_API_V2 = `You control a robot arm with a two-finger gripper above a table, through these Python functions:
- open_gripper(): open the gripper fully.
- close_gripper(object_name=None): close the gripper until the fingers stop on whatever is between
  them. object_name is only recorded (name what you grasp); it does not change what happens.
- move_gripper(position, yaw): move the gripper, always pointing straight down, so that the point
  between its fingers is at position [x, y, z] (metres), turned by yaw (radians, anticlockwise
  about z; at yaw 0 the fingers close along the y axis, at yaw pi/2 along the x axis). Returns a dict
  with "status" ("reached", "unreachable", "blocked", "timeout") and "message".
- execute_trajectory(position, orientation): another name for move_gripper(position, yaw).
- task_completed(): stop here; the task is done.
The scene is readable as objects["name"] with .position (x, y, z of the centre of its box), .yaw,
.size (l, w, h), .colour, .slide (.direction, .moved, .travel), .inside (.centre [x, y],
.size [l, w], .floor, .rim) and .handle (.centre, .size), the last four None when the object has
none; and as gripper with .position, .yaw, .opening, .widest and .fingertips_below. These are the
values of the scene state below, read once before your program starts: they do not change while
it runs, so work out
where things are after you move them (a block you lifted by 0.15 m is 0.15 m higher). Only these
modules may be imported: math, cmath, json, re, string, itertools, functools, operator,
collections, heapq, bisect, copy, statistics, fractions, decimal, numbers, typing, dataclasses, enum.`;

const CONVENTIONS_V2 = `Conventions: x points away from the robot, y to its left, z up; the table top is at z = 0.
Positions are centres of objects' boxes in metres; sizes are full lengths (l along the object's own
x, w along its own y, h up). Colour words in the task are the objects' colours (the scene state
lists "colour" for each coloured object); "cube" means block.
The gripper: opening is the gap between the fingers (its widest is in the scene state); the
fingertips reach about ${FINGERTIP_BELOW_GRIPPER} m below the point you move, and the fingers are about ${FINGER_HEIGHT} m tall.
Motion: each move_gripper is one smooth motion from rest to rest (minimum jerk in the arm's joints):
a 0.01 m move takes about 0.4 s, a 0.2 m move 1 to 1.5 s, fastest midway, and the path between its
start and end is not a straight line: a long move, or one that turns the gripper a lot, can
swing the hand 0.1 m or more off the line between them. To go from one place to another more than
0.1 m away, or to turn the gripper by more than 1 radian, first rise straight up to 0.15 m above
the tallest object on the way, move and turn there, then come straight down. To push, slide or drag something, move in steps of at most
0.02 m, with the gripper closed, its fingertips just above the table (gripper z about 0.015) and
its yaw = push angle + pi/2 (the closed fingers one behind the other; push angle = atan2(dy, dx)).
Grasping: close the fingers across the object's narrower side: yaw = object yaw if w <= l, else
object yaw + pi/2 (a drawer handle, a long bar along y: yaw pi/2); yaw and yaw + pi grasp the
same way, so keep yaw between -pi/2 and pi/2 to turn the wrist less. The narrower side must be
smaller than the widest opening. An object with a handle (a lid's knob: "handle" in the scene
state) is grasped by its handle, at the handle's centre, by the same rules. Grasp any other object
at its centre, or ${TALL_GRASP_DEPTH} m below the top of an object taller than ${2 * TALL_GRASP_DEPTH} m.
Open the gripper before moving down to a grasp, and approach and leave every grasp or release point from ${SAFE_HEIGHT} m straight above it.
Placing: release with the object's bottom ${RELEASE_CLEARANCE} m above the surface it goes on: gripper z =
surface z + (gripper z - object bottom z when you grasped it) + ${RELEASE_CLEARANCE}. On a block or platform the
surface is its top (z + h/2). In a bin, box, pot or drawer the surface is its floor, "inside:
floor z" in the scene state, at the "centre" given there; the rim ("rim z") is how high you must be
to pass over it. When a container is deeper than the fingers are tall (rim z - floor z > ${FINGER_HEIGHT} m),
the hand would hit the rim: release with the object's bottom 0.02 m above the rim instead, and let
it drop in.
Drawers and buttons: "slides along -x: moved 0.140 of 0.160" means that part has moved 0.140 m from
its rest position in the -x direction and can move 0.160 m in all. Pull a drawer open by its
handle towards -x (towards the robot), push it closed towards +x. Press a button on the top of
its cap, straight down: the cap moves down by up to its travel.
Add waypoints to go around other objects.`;

const CODE_FORMAT_V2 = `Answer in three short parts: first how the objects relate in space (a few lines), then a
step-by-step plan (a few lines), then one Python code block (\`\`\`python ... \`\`\`) that calls the
functions. Keep the whole answer under about 700 words: an answer cut off before its code block ends fails.`;

interface PromptTemplate {
  /** The scene state layout the user message shows. */
  sceneStateVersion: number;
  /** The longest answer a model is given (tokens): enough for the three parts of the code format. */
  maxAnswerTokens: number;
  system(format: ProgramFormat): string;
}

const TEMPLATES: Record<PromptTemplateVersion, PromptTemplate> = {
  'blazer-prompt-v1': {
    sceneStateVersion: 1,
    maxAnswerTokens: 1024,
    system: (format) =>
      [ROBOT_API_V1, CONVENTIONS_V1, format === 'code' ? CODE_FORMAT_V1 : JSON_FORMAT].join('\n\n'),
  },
  'blazer-prompt-v2': {
    sceneStateVersion: 2,
    maxAnswerTokens: 2048,
    system: (format) =>
      [ROBOT_API_V2, CONVENTIONS_V2, format === 'code' ? CODE_FORMAT_V2 : JSON_FORMAT].join('\n\n'),
  },
};

export function promptTemplate(version: PromptTemplateVersion = PROMPT_TEMPLATE_VERSION): PromptTemplate {
  return TEMPLATES[version];
}

export function systemPrompt(
  format: ProgramFormat,
  version: PromptTemplateVersion = PROMPT_TEMPLATE_VERSION,
): string {
  return TEMPLATES[version].system(format);
}

export function userPrompt(
  instruction: string,
  state: SceneState,
  version: PromptTemplateVersion = PROMPT_TEMPLATE_VERSION,
): string {
  const shown = sceneStateAs(state, TEMPLATES[version].sceneStateVersion);
  return `Task: ${instruction}\n\nScene state:\n${formatSceneState(shown)}`;
}

export function buildPrompt(
  instruction: string,
  state: SceneState,
  format: ProgramFormat,
  examples: FewShotExample[] = [],
  version: PromptTemplateVersion = PROMPT_TEMPLATE_VERSION,
): ChatMessage[] {
  return [
    { role: 'system', content: systemPrompt(format, version) },
    ...examples.flatMap((e): ChatMessage[] => [
      { role: 'user', content: userPrompt(e.instruction, e.state, version) },
      { role: 'assistant', content: e.answer },
    ]),
    { role: 'user', content: userPrompt(instruction, state, version) },
  ];
}
