// The experiments measure load, heap and threads: they run one at a time so none skews another's figures.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
