package io.flowstate.bench;

/** One load pattern; adds its figures to the bench's report. */
public interface Scenario {
  String name();

  void run(Bench bench) throws Exception;
}
