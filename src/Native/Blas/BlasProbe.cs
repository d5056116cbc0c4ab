namespace BnNative.Native.Blas;

/// <summary>The outcome of trying to load one <see cref="BlasVendor"/>, as reported by <see cref="CblasLibrary.ProbeAll"/>.</summary>
/// <param name="Requested">The vendor whose candidate names and paths were tried.</param>
/// <param name="Loaded">Whether one of the candidates loaded, exported every required CBLAS symbol and passed verification.</param>
/// <param name="Path">The file the loaded library came from; <see langword="null"/> when nothing loaded.</param>
/// <param name="Failure">Every candidate tried with the reason it was rejected; <see langword="null"/> when the vendor loaded.</param>
/// <param name="Library">The loaded library; <see langword="null"/> when nothing loaded.</param>
public sealed record BlasProbe(BlasVendor Requested, bool Loaded, string? Path, string? Failure, CblasLibrary? Library);
