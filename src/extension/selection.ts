// Turns the editor's selection (or the problem block under the cursor) into a problem, or says why not.
import * as vscode from 'vscode';
import { blockAt, findProblemBlocks, languageKind, looksLikeProblem } from '../core/problem-blocks';

/**
 * The engine's limit (MAX_PROBLEM_CHARS in src/core/solve.ts; a test keeps them equal). Not imported, so
 * the extension bundle does not carry the whole engine, which runs in the server.
 */
export const MAX_SELECTION_CHARS = 20_000;

/** The documents that get CodeLens and hover: where problems are written as prose. */
export const PROBLEM_LANGUAGES = ['markdown', 'plaintext', 'latex', 'tex'];

export interface Problem {
  text: string;
  anchor: { uri: vscode.Uri; range: vscode.Range };
}

export async function problemFromEditor(): Promise<Problem | null> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('SpecSearch: open a file and select the text of a problem first.');
    return null;
  }
  const { document, selection } = editor;
  let range: vscode.Range = selection;
  let text = document.getText(selection);
  if (text.trim() === '') {
    // No selection: the problem block under the cursor, in the documents where blocks are recognised.
    const kind = languageKind(document.languageId);
    const block = kind ? blockAt(findProblemBlocks(document.getText(), kind), selection.active.line) : undefined;
    if (!block) {
      void vscode.window.showInformationMessage(
        'SpecSearch: the selection is empty. Select the text of a problem (e.g. "Start with 7. Add 5. What is the result?") and try again.',
      );
      return null;
    }
    range = new vscode.Range(block.range.start.line, block.range.start.character, block.range.end.line, block.range.end.character);
    text = block.text;
  }
  if (text.trim().length > MAX_SELECTION_CHARS) {
    void vscode.window.showWarningMessage(
      `SpecSearch: the selection is ${text.trim().length.toLocaleString()} characters long; problems are limited to ${MAX_SELECTION_CHARS.toLocaleString()} characters. Select just the problem statement.`,
    );
    return null;
  }
  if (!looksLikeProblem(text)) {
    const choice = await vscode.window.showWarningMessage(
      `SpecSearch: "${text.trim().slice(0, 60)}${text.trim().length > 60 ? '…' : ''}" does not look like a math or logic problem (no numbers, formula or question).`,
      'Solve Anyway',
    );
    if (choice !== 'Solve Anyway') return null;
  }
  return { text: text.trim(), anchor: { uri: document.uri, range } };
}
