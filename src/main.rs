fn main() -> std::process::ExitCode {
    rapporteur::cli::main()
}
