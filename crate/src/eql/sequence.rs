//! Owned by the eql-seq helper (sequences, samples, pipes over an event list).
