package dev.mobilebert.jobs.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "doctor", description = "Check this machine or cluster: versions, BLAS, threads, sgemm speed, a Spark job.")
public final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("doctor: java " + System.getProperty("java.version"));
        return 0;
    }
}
