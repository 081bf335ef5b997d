fn main() -> std::process::ExitCode {
    // A command whose output goes to a pipe that closes (`list | head`)
    // ends quietly, as other Unix tools do, instead of panicking on EPIPE;
    // the interactive screens catch SIGPIPE and end like Ctrl+Q.
    // SAFETY: setting a signal's disposition before any thread starts.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    rapporteur::cli::main()
}
