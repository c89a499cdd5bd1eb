fn main() {
    std::process::exit(truce::cli::main());
}
