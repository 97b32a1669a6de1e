// PRM kind "judge": an instruction model served over HTTP is asked whether a step is correct.
import { renderPrompt } from '../templates';
import { CompletionPrm, probabilityOf } from './http';

/** An instruction model asked whether a step is correct: p(Yes)/(p(Yes)+p(No)). Weaker than a trained PRM. */
export class JudgePrm extends CompletionPrm {
  protected async scorePaths(problem: string, paths: readonly (readonly string[])[], signal: AbortSignal) {
    const prompts = paths.map((steps) => {
      const earlier = steps.slice(0, -1).map((s, i) => `Step ${i + 1}: ${s}`).join('\n');
      const question = `Problem:\n${problem}\n\n${earlier ? `Steps so far:\n${earlier}\n\n` : ''}New step:\n${steps[steps.length - 1] ?? ''}\n\n` +
        'Is the new step correct and useful for solving the problem? Answer with one word, Yes or No.';
      return renderPrompt({ template: this.settings.promptTemplate, systemPrompt: this.settings.systemPrompt ?? 'You are a careful grader of math solutions.', problem: question, mode: 'solve', steps: [], separator: '\n\n' });
    });
    const what = `judging ${paths.length} thought${paths.length === 1 ? '' : 's'} (POST /completions)`;
    const { alternatives, texts, requests } = await this.nextToken(prompts, signal, what);
    const scores = alternatives.map((top, i) => {
      if (top !== null) {
        const yes = probabilityOf(top, 'Yes') + probabilityOf(top, 'yes');
        const no = probabilityOf(top, 'No') + probabilityOf(top, 'no');
        if (yes + no > 0) return yes / (yes + no);
      }
      return /^\s*yes/i.test(texts[i]) ? 1 : 0;
    });
    return { scores, requests };
  }
}

