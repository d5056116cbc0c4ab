// Each test launches an mpirun job of 2–4 processes on a 2-core machine; running them one at a time keeps the
// oversubscription bounded and the timing of the failure tests meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
