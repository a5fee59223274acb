echo "from a"
