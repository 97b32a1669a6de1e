// Ctrl-C and SIGTERM abort the command's work instead of killing the process, so that a solve ends with
// its `search.failed` event and a bench writes what it has. The listeners stay registered (`on`, not
// `once`) until the command is done: node-llama-cpp pulls in `signal-exit`, which re-raises a signal
// when it sees no other listener left, and a second Ctrl-C would then kill the process mid-write.
export function abortOnSignals(controller: AbortController): () => void {
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
